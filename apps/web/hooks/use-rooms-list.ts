import { useCallback, useEffect, useRef, useState } from 'react';

/** One row of `GET /api/rooms`. */
export interface RoomSummary {
  room: string;
  /** Members, those in their reconnect grace period included. */
  online: number;
  /** `seq` of the newest stored message: seq starts at 1 and grows by 1, so also the count. */
  lastSeq: number;
}

export interface RoomsList {
  /** null until the first answer arrives. */
  rooms: RoomSummary[] | null;
  /** Why the last refresh failed; cleared by the next successful one. */
  error: string | null;
  /** Date.now() of the last successful refresh. */
  updatedAt: number | null;
  refresh: () => void;
}

export const ROOMS_REFRESH_MS = 5_000;

function isRoomSummary(value: unknown): value is RoomSummary {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    typeof row.room === 'string' &&
    typeof row.online === 'number' &&
    typeof row.lastSeq === 'number'
  );
}

/** Busiest rooms first, then the ones with the most history, then by name. */
function byActivity(a: RoomSummary, b: RoomSummary): number {
  return b.online - a.online || b.lastSeq - a.lastSeq || a.room.localeCompare(b.room);
}

/**
 * The api's room list, fetched now, every 5 s while the page is open, and whenever the window
 * regains focus or the tab becomes visible again.
 */
export function useRoomsList(apiUrl: string | null): RoomsList {
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const inFlight = useRef<AbortController | null>(null);

  const refresh = useCallback(() => {
    if (!apiUrl) return;
    // One request at a time: a slow answer is replaced rather than raced.
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    fetch(`${apiUrl}/api/rooms`, { signal: controller.signal, cache: 'no-store' })
      .then(async (response) => {
        if (!response.ok) throw new Error(`the api answered ${response.status}`);
        const body: unknown = await response.json();
        if (!Array.isArray(body)) throw new Error('the api sent something other than a list');
        return body.filter(isRoomSummary).sort(byActivity);
      })
      .then(
        (list) => {
          if (controller.signal.aborted) return;
          setRooms(list);
          setError(null);
          setUpdatedAt(Date.now());
        },
        (reason: unknown) => {
          if (controller.signal.aborted) return;
          // fetch rejects with a bare TypeError when the api is unreachable or refuses CORS.
          setError(
            reason instanceof TypeError
              ? 'the api cannot be reached'
              : reason instanceof Error
                ? reason.message
                : String(reason),
          );
        },
      )
      .finally(() => {
        if (inFlight.current === controller) inFlight.current = null;
      });
  }, [apiUrl]);

  useEffect(() => {
    if (!apiUrl) return;
    refresh();
    const timer = window.setInterval(refresh, ROOMS_REFRESH_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    window.addEventListener('focus', refresh);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', refresh);
      document.removeEventListener('visibilitychange', onVisible);
      inFlight.current?.abort();
      inFlight.current = null;
    };
  }, [apiUrl, refresh]);

  return { rooms, error, updatedAt, refresh };
}
