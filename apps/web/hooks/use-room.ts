import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { DuplexClient, RoomSnapshot, RoomStore } from '@duplex/client';
import { useDuplexClient } from '@/hooks/use-duplex-client';

export type JoinStatus = 'joining' | 'joined' | 'failed';

export interface RoomView {
  client: DuplexClient | null;
  /** The room's state from the client, or null before the join was asked for. */
  snapshot: RoomSnapshot | null;
  /** `joining` until the first `room.join` ack; the client re-joins after reconnects itself. */
  status: JoinStatus;
  /** Why the join failed, when it did. */
  error: string | null;
  /**
   * Joined on the current connection: members, count and typing are live. False before the
   * first join and from a lost connection until the client has joined the room again.
   */
  live: boolean;
}

interface Joined {
  client: DuplexClient;
  room: string;
  store: RoomStore | null;
  status: JoinStatus;
  error: string | null;
}

const noSubscription = () => () => {};
const noSnapshot = () => null;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Joins `room` on the shared client, leaves it when the component unmounts (or the room or the
 * client changes), and follows the room through its RoomStore. `joinRoom` waits for the client
 * to be ready by itself, and the client re-joins (with `since`) after every reconnect: the
 * store stays the same object for as long as the room is joined.
 */
export function useRoom(room: string): RoomView {
  const client = useDuplexClient();
  const [joined, setJoined] = useState<Joined | null>(null);

  useEffect(() => {
    if (!client) return;
    let active = true;
    // The store exists as soon as the join is asked for (pending sends can be shown at once).
    const request = client.joinRoom(room);
    setJoined({ client, room, store: client.room(room) ?? null, status: 'joining', error: null });
    request.then(
      () => {
        if (!active) return;
        setJoined({
          client,
          room,
          store: client.room(room) ?? null,
          status: 'joined',
          error: null,
        });
      },
      (error: unknown) => {
        if (!active) return;
        setJoined({ client, room, store: null, status: 'failed', error: describeError(error) });
      },
    );
    return () => {
      active = false;
      // Already gone, or the client closed: membership ended with it. Nothing to tell anyone.
      client.leaveRoom(room).catch(() => {});
    };
  }, [client, room]);

  const current = joined && joined.client === client && joined.room === room ? joined : null;
  const store = current?.store ?? null;
  const subscribe = useCallback(
    (onChange: () => void) => (store ? store.subscribe(onChange) : noSubscription()),
    [store],
  );
  const getSnapshot = useCallback(() => (store ? store.getSnapshot() : null), [store]);
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, noSnapshot);

  const status = current?.status ?? 'joining';
  return {
    client,
    snapshot,
    status,
    error: current?.error ?? null,
    live: status === 'joined' && snapshot !== null && snapshot.live,
  };
}
