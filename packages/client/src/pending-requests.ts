import type { ClientEventName, OutgoingClientFrame } from '@duplex/protocol';
import { RequestTimeoutError } from './errors.js';

export type RequestFrame = OutgoingClientFrame & { id: string };

interface PendingRequest {
  frame: RequestFrame;
  /** Written to a socket; its outcome is unknown if that socket closes. */
  sent: boolean;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests waiting for their ack, whether already written to the socket or still waiting for the
 * connection to be ready. Each rejects with `RequestTimeoutError` once its timeout has passed.
 */
export class PendingRequests {
  // A Map keeps insertion order: unsent requests go out in the order they were made.
  private readonly requests = new Map<string, PendingRequest>();

  get size(): number {
    return this.requests.size;
  }

  add(frame: RequestFrame, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.reject(frame.id, new RequestTimeoutError(frame.event, timeoutMs));
      }, timeoutMs);
      this.requests.set(frame.id, { frame, sent: false, resolve, reject, timer });
    });
  }

  eventOf(id: string): ClientEventName | undefined {
    return this.requests.get(id)?.frame.event;
  }

  unsent(): RequestFrame[] {
    return [...this.requests.values()]
      .filter((request) => !request.sent)
      .map((request) => request.frame);
  }

  markSent(id: string): void {
    const request = this.requests.get(id);
    if (request) request.sent = true;
  }

  resolve(id: string, data: unknown): boolean {
    const request = this.take(id);
    request?.resolve(data);
    return request !== undefined;
  }

  reject(id: string, error: Error): boolean {
    const request = this.take(id);
    request?.reject(error);
    return request !== undefined;
  }

  /** Rejects the requests written to a socket that has closed; unsent ones keep waiting. */
  rejectSent(error: Error): void {
    for (const [id, request] of [...this.requests]) {
      if (request.sent) this.reject(id, error);
    }
  }

  rejectAll(error: Error): void {
    for (const id of [...this.requests.keys()]) this.reject(id, error);
  }

  private take(id: string): PendingRequest | undefined {
    const request = this.requests.get(id);
    if (!request) return undefined;
    clearTimeout(request.timer);
    this.requests.delete(id);
    return request;
  }
}
