'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { DuplexClient } from '@duplex/client';
import { useApiConfig } from '@/components/config-provider';
import { DuplexClientContext } from '@/hooks/use-duplex-client';
import { getOrCreateDisplayName } from '@/lib/display-name';

/** Creates the app's shared DuplexClient in the browser, connects it once, closes it on unmount. */
export function DuplexProvider({ children }: { children: ReactNode }) {
  const { wsUrl } = useApiConfig();
  const [client, setClient] = useState<DuplexClient | null>(null);

  useEffect(() => {
    if (!wsUrl) return;
    const created = new DuplexClient({ url: wsUrl, name: getOrCreateDisplayName() });
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
  }, [wsUrl]);

  return <DuplexClientContext.Provider value={client}>{children}</DuplexClientContext.Provider>;
}
