import type { User } from '@duplex/protocol';

/** One session of a user, by id: where a call's frames go. */
export interface SessionAddress {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * Where a live call stands. `ringing`: every callee session in `ringing` rings, and the first
 * to accept or decline becomes the callee's session. `active`: accepted by `calleeSessionId`.
 */
export type CallPhase =
  | { readonly state: 'ringing'; readonly ringing: readonly string[] }
  | { readonly state: 'active'; readonly calleeSessionId: string; readonly answeredAt: string };

/**
 * A live 1:1 call, as plain data (ids and times, no sockets or timers), so that it can be kept
 * in a shared store. Ended calls are forgotten, so their ids can be used again.
 */
export interface Call {
  readonly callId: string;
  readonly room: string;
  readonly video: boolean;
  readonly caller: User;
  /** The caller's session: the one that invited. */
  readonly callerSessionId: string;
  readonly callee: User;
  /**
   * Whether the invite carried the caller's first offer, which the callee may then answer in
   * its accept. Absent in calls stored by an instance that predates it: no offer.
   */
  readonly offered?: boolean;
  /** When the server accepted the invite. */
  readonly startedAt: string;
  readonly phase: CallPhase;
}
