import type { Call } from './call.js';

/** A call as read from the store: `version` tells whether it changed since. */
export interface StoredCall {
  readonly call: Call;
  readonly version: unknown;
}

export type CreateResult = 'created' | 'callId-in-use' | 'busy';

/**
 * Live calls, where every instance sees them. A user is in at most one call: creating a call
 * claims both users, or fails. A change is applied only to the version it was computed from, so
 * two instances never both move a call on; the loser reads again. A ringing call's ring
 * deadline is handed to exactly one instance when it passes, even if the instance that started
 * the call is gone.
 */
export interface CallStore {
  create(call: Call, ringTimeoutMs: number): Promise<CreateResult>;
  get(callId: string): Promise<StoredCall | undefined>;
  /** The call the user is in, ringing or active, from any of its sessions. */
  callOfUser(userId: string): Promise<StoredCall | undefined>;
  /** Replaces the call with `next`; false when it changed since `stored` was read. */
  replace(stored: StoredCall, next: Call): Promise<boolean>;
  /** Removes the ended call; false when it changed since `stored` was read. */
  remove(stored: StoredCall): Promise<boolean>;
  /** `handler` runs, on one instance, for each ringing call whose ring deadline passed. */
  onRingDue(handler: (callId: string) => void): void;
  close(): void;
}

export const CALL_STORE = Symbol('CALL_STORE');
