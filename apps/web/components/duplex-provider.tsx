'use client';

import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { DuplexClient } from '@duplex/client';
import { useApiConfig } from '@/components/config-provider';
import { DisplayNameContext, type DisplayNameState } from '@/hooks/use-display-name';
import { DuplexClientContext } from '@/hooks/use-duplex-client';
import { getDisplayName, setDisplayName, subscribeDisplayName } from '@/lib/display-name';

// localStorage exists only in the browser: the server renders without a name, hydration
// starts from null too, and the page then re-renders with the remembered name.
const noNameOnServer = () => null;

/**
 * Creates the app's shared DuplexClient in the browser, connects it once, closes it on unmount.
 * Changing the display name replaces the client: the old one is closed, a new one connects and
 * says `hello` with the new name (a new identity: a new userId, rooms joined afresh).
 */
export function DuplexProvider({ children }: { children: ReactNode }) {
  const { apiUrl, wsUrl } = useApiConfig();
  const name = useSyncExternalStore(subscribeDisplayName, getDisplayName, noNameOnServer);
  const [client, setClient] = useState<DuplexClient | null>(null);

  useEffect(() => {
    if (!apiUrl || !wsUrl || !name) return;
    // httpUrl: older history comes over HTTP from the same api (its path kept, if it has one).
    const created = new DuplexClient({ url: wsUrl, httpUrl: apiUrl, name });
    setClient(created);
    try {
      created.connect();
    } catch (error) {
      // A malformed URL throws from the WebSocket constructor; the client is then `closed`.
      console.error(`Duplex: cannot connect to ${wsUrl}`, error);
    }
    return () => {
      created.close();
      setClient((current) => (current === created ? null : current));
    };
  }, [apiUrl, wsUrl, name]);

  const nameState = useMemo<DisplayNameState>(() => ({ name, setName: setDisplayName }), [name]);

  return (
    <DisplayNameContext.Provider value={nameState}>
      <DuplexClientContext.Provider value={client}>{children}</DuplexClientContext.Provider>
    </DisplayNameContext.Provider>
  );
}
