import type { MediaState } from './types.js';

/**
 * Sends this side's microphone and camera state (`call.media`) once the call is accepted, and
 * again on every change, so that the other side shows "muted" or "camera off" at once.
 */
export class MediaAnnouncer {
  private sent: MediaState | null = null;
  private active = false;

  constructor(private readonly send: (state: MediaState) => void) {}

  /** The call was accepted: `state` goes out now, and every change of it from now on. */
  start(state: MediaState): void {
    this.active = true;
    this.update(state);
  }

  update(state: MediaState): void {
    if (!this.active) return;
    if (this.sent?.audio === state.audio && this.sent.video === state.video) return;
    this.announce(state);
  }

  /** What was sent may not have arrived (a connection was lost meanwhile): `state` goes out again. */
  repeat(state: MediaState): void {
    if (this.active) this.announce(state);
  }

  stop(): void {
    this.active = false;
  }

  private announce(state: MediaState): void {
    this.sent = { audio: state.audio, video: state.video };
    this.send(this.sent);
  }
}
