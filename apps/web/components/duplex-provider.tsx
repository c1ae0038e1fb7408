'use client';

import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { DuplexClient } from '@duplex/client';
import { useApiConfig } from '@/components/config-provider';
import { DisplayNameContext, type DisplayNameState } from '@/hooks/use-display-name';
import { DuplexClientContext } from '@/hooks/use-duplex-client';
import {
  adoptDisplayName,
  getDisplayName,
  getNameChoices,
  setDisplayName,
  subscribeDisplayName,
} from '@/lib/display-name';
import { readIdentity, storeIdentity } from '@/lib/identity';

// localStorage exists only in the browser: the server renders without a name, hydration
// starts from null too, and the page then re-renders with the remembered name.
const noNameOnServer = () => null;
const noChoiceOnServer = () => 0;

/**
 * Creates the app's shared DuplexClient in the browser, connects it once, closes it on unmount.
 * The client presents the identity kept in this browser, and the identity of every `hello` ack
 * is kept: every tab and every reload is the same user (same userId), never a second person.
 * Changing the display name replaces the client: the old one is closed, a new one says `hello`
 * with the new name and the same identity (the same userId under the new name; rooms joined
 * again by the pages that show them). A new name taken in another tab reaches this one from the
 * server (the client's `name` event) or from localStorage (its `storage` event) and is only
 * shown and kept for the next `hello`: the user is renamed already.
 */
export function DuplexProvider({ children }: { children: ReactNode }) {
  const { apiUrl, wsUrl } = useApiConfig();
  const name = useSyncExternalStore(subscribeDisplayName, getDisplayName, noNameOnServer);
  const nameChoices = useSyncExternalStore(subscribeDisplayName, getNameChoices, noChoiceOnServer);
  const [client, setClient] = useState<DuplexClient | null>(null);
  const hasName = name !== null;

  useEffect(() => {
    if (!apiUrl || !wsUrl || !hasName) return;
    // httpUrl: older history comes over HTTP from the same api (its path kept, if it has one).
    const identity = readIdentity();
    const created = new DuplexClient({
      url: wsUrl,
      httpUrl: apiUrl,
      name: getDisplayName(),
      ...(identity !== undefined && { identity }),
    });
    // A first identity, or a new one for an identity the server no longer accepts: kept.
    const stopKeepingIdentity = created.on('identity', storeIdentity);
    const stopAdoptingNames = created.on('name', adoptDisplayName);
    setClient(created);
    try {
      created.connect();
    } catch (error) {
      // A malformed URL throws from the WebSocket constructor; the client is then `closed`.
      console.error(`Duplex: cannot connect to ${wsUrl}`, error);
    }
    return () => {
      stopKeepingIdentity();
      stopAdoptingNames();
      created.close();
      setClient((current) => (current === created ? null : current));
    };
  }, [apiUrl, wsUrl, hasName, nameChoices]);

  // A name adopted from another tab is this client's for its next `hello` (no reconnect needed).
  useEffect(() => {
    if (client && name) client.adoptName(name);
  }, [client, name]);

  const nameState = useMemo<DisplayNameState>(() => ({ name, setName: setDisplayName }), [name]);

  return (
    <DisplayNameContext.Provider value={nameState}>
      <DuplexClientContext.Provider value={client}>{children}</DuplexClientContext.Provider>
    </DisplayNameContext.Provider>
  );
}
