import { OneShotTimer } from './one-shot-timer.js';
import type { PeerConnectionLike, PeerConnectionState } from './rtc-types.js';

export interface ConnectionWatchOptions {
  /**
   * The impolite side (the caller) restarts ICE as soon as the connection fails; the polite side
   * (the callee) waits `politeRestartWaitMs` for the caller's restart offer, then restarts itself.
   */
  polite: boolean;
  /** How long `disconnected` may last before the impolite side restarts; ICE often recovers by itself. */
  disconnectedTimeoutMs: number;
  politeRestartWaitMs: number;
  /** Restarts allowed after `failed` without reaching `connected` again; then `giveUp`. */
  maxIceRestarts: number;
  restart: () => void;
  giveUp: () => void;
  onState: (state: PeerConnectionState) => void;
}

/**
 * Watches `connectionState` (not `iceConnectionState`, which can stay `disconnected` after the
 * peer vanished): asks for ICE restarts as the protocol's ICE-restart rule says, and tells when
 * the media did not connect in time.
 */
export class ConnectionWatch {
  private readonly disconnectedTimer = new OneShotTimer();
  private readonly politeWait = new OneShotTimer();
  private readonly connectDeadline = new OneShotTimer();
  private failures = 0;
  private connectedOnce = false;

  constructor(
    private readonly pc: PeerConnectionLike,
    private readonly options: ConnectionWatchOptions,
  ) {
    pc.onconnectionstatechange = () => this.update();
  }

  /** Calls `expired` unless the connection is `connected` within `timeoutMs` (from now). */
  expectConnection(timeoutMs: number, expired: () => void): void {
    if (this.connectedOnce) return;
    this.connectDeadline.start(timeoutMs, expired);
  }

  /** The other side sent a new offer: a polite side waiting to restart need not. */
  remoteOfferArrived(): void {
    this.politeWait.cancel();
  }

  dispose(): void {
    this.disconnectedTimer.cancel();
    this.politeWait.cancel();
    this.connectDeadline.cancel();
    this.pc.onconnectionstatechange = null;
  }

  private update(): void {
    const state = this.pc.connectionState;
    if (state !== 'disconnected') this.disconnectedTimer.cancel();
    if (state === 'connected') {
      this.failures = 0;
      this.connectedOnce = true;
      this.politeWait.cancel();
      this.connectDeadline.cancel();
    }
    this.options.onState(state);
    if (state === 'failed') this.failed();
    else if (state === 'disconnected' && !this.options.polite) {
      this.disconnectedTimer.start(this.options.disconnectedTimeoutMs, () => {
        if (this.pc.connectionState === 'disconnected') this.options.restart();
      });
    }
  }

  private failed(): void {
    this.failures++;
    if (this.failures > this.options.maxIceRestarts) {
      this.options.giveUp();
    } else if (!this.options.polite) {
      this.options.restart();
    } else {
      this.politeWait.start(this.options.politeRestartWaitMs, () => {
        if (this.pc.connectionState !== 'connected') this.options.restart();
      });
    }
  }
}
