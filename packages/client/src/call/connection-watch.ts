import type { PeerConnectionLike, PeerConnectionState } from './rtc-types.js';

export interface ConnectionWatchOptions {
  /** Only the impolite side restarts ICE; the polite side answers the restart's offer. */
  polite: boolean;
  /** How long `disconnected` may last before a restart; ICE often recovers by itself. */
  disconnectedTimeoutMs: number;
  /** Restarts allowed after `failed` without reaching `connected` again; then `giveUp`. */
  maxIceRestarts: number;
  restart: () => void;
  giveUp: () => void;
  onState: (state: PeerConnectionState) => void;
}

/**
 * Watches `connectionState` (not `iceConnectionState`, which can stay `disconnected` after the
 * peer vanished) and asks for an ICE restart on `failed`, or after `disconnected` lasted
 * `disconnectedTimeoutMs`.
 */
export class ConnectionWatch {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;

  constructor(
    private readonly pc: PeerConnectionLike,
    private readonly options: ConnectionWatchOptions,
  ) {
    pc.onconnectionstatechange = () => this.update();
  }

  dispose(): void {
    this.clearTimer();
    this.pc.onconnectionstatechange = null;
  }

  private update(): void {
    const state = this.pc.connectionState;
    if (state !== 'disconnected') this.clearTimer();
    if (state === 'connected') this.failures = 0;
    this.options.onState(state);
    if (state === 'failed') {
      this.failures++;
      if (this.failures > this.options.maxIceRestarts) this.options.giveUp();
      else if (!this.options.polite) this.options.restart();
    } else if (state === 'disconnected' && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.pc.connectionState === 'disconnected' && !this.options.polite)
          this.options.restart();
      }, this.options.disconnectedTimeoutMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
