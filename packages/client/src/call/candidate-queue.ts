import type { IceCandidate } from '@duplex/protocol';

/**
 * Remote ICE candidates that arrived before any remote description was set; `addIceCandidate`
 * would reject them. Drained, in arrival order, once a remote description is in place.
 */
export class CandidateQueue {
  private readonly queued: IceCandidate[] = [];

  get size(): number {
    return this.queued.length;
  }

  push(candidate: IceCandidate): void {
    this.queued.push(candidate);
  }

  drain(): IceCandidate[] {
    return this.queued.splice(0);
  }

  clear(): void {
    this.queued.length = 0;
  }
}
