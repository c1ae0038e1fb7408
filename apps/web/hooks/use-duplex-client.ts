import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { ConnectionState, DuplexClient } from '@duplex/client';

/** The app's one DuplexClient; null on the server and until the provider has created it. */
export const DuplexClientContext = createContext<DuplexClient | null>(null);

export type DuplexSession = DuplexClient['session'];

const noSubscription = () => () => {};

export function useDuplexClient(): DuplexClient | null {
  return useContext(DuplexClientContext);
}

/** Subscribes to the client's `state` event: every re-render-worthy change comes through it. */
function useClientStateSubscription(client: DuplexClient | null) {
  return useCallback(
    (onChange: () => void) => (client ? client.on('state', onChange) : noSubscription()),
    [client],
  );
}

export function useConnectionState(): ConnectionState {
  const client = useDuplexClient();
  const subscribe = useClientStateSubscription(client);
  return useSyncExternalStore(
    subscribe,
    () => client?.state ?? 'idle',
    () => 'idle',
  );
}

/**
 * The last hello ack (kept across a disconnect), or null before the first one; its `name`
 * follows a rename made in another tab.
 */
export function useSession(): DuplexSession {
  const client = useDuplexClient();
  // The session is replaced right before the state turns `ready`, and on a rename.
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (!client) return noSubscription();
      const stops = [client.on('state', onChange), client.on('name', onChange)];
      return () => {
        for (const stop of stops) stop();
      };
    },
    [client],
  );
  return useSyncExternalStore(
    subscribe,
    () => client?.session ?? null,
    () => null,
  );
}
