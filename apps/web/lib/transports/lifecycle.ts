/**
 * The connection lifecycle every ticker client goes through, as states and the transitions
 * allowed between them:
 *
 * - `idle`: never started.
 * - `connecting`: a stream (SSE, WebSocket) is being opened.
 * - `active`: a stream is open, or a poll request is in flight (held, for a long poll).
 * - `waiting`: a short poller between two requests.
 * - `retrying`: backing off after an error, before trying again.
 * - `stopping`: stopped, finishing the request in flight (so every request is answered).
 * - `stopped`: stopped by the user.
 * - `failed`: refused by the server (400, 4004, 1008); stays so until started again.
 */
export type PhaseName =
  'idle' | 'connecting' | 'active' | 'waiting' | 'retrying' | 'stopping' | 'stopped' | 'failed';

export type ClientPhase =
  | { name: Exclude<PhaseName, 'retrying' | 'failed'> }
  | { name: 'retrying'; reason: string; delayMs: number }
  | { name: 'failed'; reason: string };

const TRANSITIONS: Readonly<Record<PhaseName, readonly PhaseName[]>> = {
  idle: ['connecting', 'active', 'stopped'],
  connecting: ['active', 'retrying', 'failed', 'connecting', 'stopped'],
  active: ['active', 'waiting', 'connecting', 'retrying', 'failed', 'stopping', 'stopped'],
  waiting: ['active', 'stopped'],
  retrying: ['connecting', 'active', 'stopped'],
  stopping: ['stopped'],
  stopped: ['connecting', 'active', 'stopped'],
  failed: ['connecting', 'active', 'stopped'],
};

/** Holds a client's phase; a transition the table does not allow is a bug and throws. */
export class Lifecycle {
  private current: ClientPhase = { name: 'idle' };

  constructor(private readonly onChange: (phase: ClientPhase) => void = () => {}) {}

  get phase(): ClientPhase {
    return this.current;
  }

  is(...names: PhaseName[]): boolean {
    return names.includes(this.current.name);
  }

  to(next: ClientPhase): void {
    if (!TRANSITIONS[this.current.name].includes(next.name)) {
      throw new Error(`ticker client: no transition from ${this.current.name} to ${next.name}`);
    }
    this.current = next;
    this.onChange(next);
  }
}
