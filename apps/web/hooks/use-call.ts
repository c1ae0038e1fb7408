import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { CallManager, CallSession, CallSnapshot } from '@duplex/client';
import type { User } from '@duplex/protocol';
import type { CallProblem } from '@/lib/call-text';

/** The CallManager of the app's one DuplexClient; null on the server and until it exists. */
export const CallManagerContext = createContext<CallManager | null>(null);

/** An outgoing call between the click and the server's ack of `call.invite` (no session yet). */
export interface PendingCall {
  peer: User;
  room: string;
  video: boolean;
}

export interface CallActions {
  /**
   * Calls `peer` in `room`. Failures (busy, unreachable, camera or microphone refused) end up in
   * `problem`, in words; nothing is thrown.
   */
  placeCall: (peer: User, room: string, video: boolean) => void;
  /** The call being placed: camera opening, invite on its way. */
  pending: PendingCall | null;
  /** Gives up a call being placed: it is hung up as soon as the manager hands it over. */
  cancelPending: () => void;
  /** The last failure to show in the `call-error` alert, until dismissed. */
  problem: CallProblem | null;
  reportProblem: (problem: CallProblem | null) => void;
}

export const CallActionsContext = createContext<CallActions>({
  placeCall: () => {},
  pending: null,
  cancelPending: () => {},
  problem: null,
  reportProblem: () => {},
});

export interface CurrentCall {
  session: CallSession;
  snapshot: CallSnapshot;
}

const noSubscription = () => () => {};
const nothing = () => null;

export function useCallManager(): CallManager | null {
  return useContext(CallManagerContext);
}

export function useCallActions(): CallActions {
  return useContext(CallActionsContext);
}

/**
 * The call on screen (ringing, active, or ended a moment ago) and its latest snapshot; null when
 * there is none. Follows the manager's `current`, then that session's snapshots.
 */
export function useCurrentCall(): CurrentCall | null {
  const manager = useCallManager();
  const subscribeManager = useCallback(
    (onChange: () => void) => (manager ? manager.subscribe(onChange) : noSubscription()),
    [manager],
  );
  const session = useSyncExternalStore(
    subscribeManager,
    () => manager?.getSnapshot() ?? null,
    nothing,
  );

  const subscribeSession = useCallback(
    (onChange: () => void) => (session ? session.subscribe(onChange) : noSubscription()),
    [session],
  );
  const snapshot = useSyncExternalStore(
    subscribeSession,
    () => session?.getSnapshot() ?? null,
    nothing,
  );

  return session && snapshot ? { session, snapshot } : null;
}

/**
 * `onChange` runs when the manager's `current` changes and whenever that session's snapshot
 * does; returns the unsubscribe.
 */
function subscribeToCurrentCall(manager: CallManager, onChange: () => void): () => void {
  let unsubscribeSession: () => void = () => {};
  const follow = () => {
    unsubscribeSession();
    unsubscribeSession = manager.getSnapshot()?.subscribe(onChange) ?? (() => {});
  };
  follow();
  const unsubscribeManager = manager.subscribe(() => {
    follow();
    onChange();
  });
  return () => {
    unsubscribeManager();
    unsubscribeSession();
  };
}

/**
 * Whether a call is ringing or live (an ended one on screen does not count). Re-renders its
 * component only when that answer changes: snapshots change many times a second while a call is
 * set up and every second after (stats), and the pages that ask this (the chat room, each member's
 * call buttons) are far larger than the call view.
 */
export function useInCall(): boolean {
  const manager = useCallManager();
  const { pending } = useCallActions();
  const subscribe = useCallback(
    (onChange: () => void) =>
      manager ? subscribeToCurrentCall(manager, onChange) : noSubscription(),
    [manager],
  );
  const live = useSyncExternalStore(
    subscribe,
    () => {
      const phase = manager?.getSnapshot()?.getSnapshot().phase;
      return phase !== undefined && phase !== 'ended';
    },
    () => false,
  );
  return pending !== null || live;
}
