import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ConnectionState, DuplexClient } from '@duplex/client';
import { useConnectionState, useDuplexClient, useSession } from '@/hooks/use-duplex-client';
import {
  canRetryNow,
  connectionKind,
  CONNECTION_LABELS,
  describeDisconnect,
  type ConnectionKind,
} from '@/lib/connection-status';
import { isNetworkOnline, subscribeNetworkStatus } from '@/lib/network-status';

export interface ConnectionStatus {
  kind: ConnectionKind;
  /** The client's own state (`idle` before there is a client). */
  state: ConnectionState;
  /** The badge's words ("Reconnecting…"). */
  label: string;
  /** Why the connection was lost or never made, in words; null when connected or unknown. */
  reason: string | null;
  /** When the next attempt starts (Date.now() clock); null when none is waited for. */
  nextRetryAt: number | null;
  /** The client has been connected (had a `hello` ack) at least once. */
  everConnected: boolean;
  /** Whether `retryNow` would start an attempt. */
  canRetry: boolean;
  retryNow: () => void;
}

const noSubscription = () => () => {};

function subscribeRetryFacts(client: DuplexClient | null) {
  if (!client) return noSubscription;
  return (onChange: () => void) => {
    const stops = [
      client.on('state', onChange),
      client.on('close', onChange),
      client.on('retry', onChange),
    ];
    return () => stops.forEach((stop) => stop());
  };
}

/** Whether the browser has a network, as its `online` and `offline` events last said. */
export function useNetworkOnline(): boolean {
  return useSyncExternalStore(subscribeNetworkStatus, isNetworkOnline, () => true);
}

/** The shared client's connection as the user should be told it (see `ConnectionKind`). */
export function useConnectionStatus(): ConnectionStatus {
  const client = useDuplexClient();
  const state = useConnectionState();
  const session = useSession();
  const networkOnline = useNetworkOnline();
  const subscribe = useMemo(() => subscribeRetryFacts(client), [client]);
  const nextRetryAt = useSyncExternalStore(
    subscribe,
    () => client?.nextRetryAt ?? null,
    () => null,
  );
  const lastDisconnect = useSyncExternalStore(
    subscribe,
    () => client?.lastDisconnect ?? null,
    () => null,
  );
  const everConnected = session !== null;
  const kind = connectionKind({ state, everConnected, networkOnline });
  const retryNow = useCallback(() => client?.retryNow(), [client]);

  return {
    kind,
    state,
    label: CONNECTION_LABELS[kind],
    reason: kind === 'ready' ? null : describeDisconnect(lastDisconnect, everConnected),
    nextRetryAt,
    everConnected,
    canRetry: canRetryNow(kind, nextRetryAt),
    retryNow,
  };
}

/** Date.now(), again every `intervalMs` while `active` (for a countdown). */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
