'use client';

import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import {
  DEFAULT_API_PORT,
  ECHO_WS_PATH,
  WS_PATH,
  fallbackApiUrl,
  toWebSocketUrl,
} from '@/lib/api-url';

export interface ApiConfig {
  /** The api's http(s) base URL; null only while rendering on the server without DUPLEX_API_URL. */
  apiUrl: string | null;
  /** Where apiUrl came from: the server's DUPLEX_API_URL, or the page's own host. */
  source: 'env' | 'fallback';
  /** The api's port on the page's host when DUPLEX_API_URL is not set (API_PORT, else 3001). */
  fallbackPort: number;
  /** The multiplexed protocol socket (`/ws`). */
  wsUrl: string | null;
  /** The echo playground socket (`/ws/echo`). */
  echoUrl: string | null;
}

const ApiConfigContext = createContext<ApiConfig | null>(null);

const noSubscription = () => () => {};
// The server cannot know the browser's hostname; hydration starts from null and then
// re-renders with the location-derived value, without a hydration mismatch.
const noFallbackOnServer = () => null;

export function ConfigProvider({
  apiUrl: configuredApiUrl,
  fallbackPort = DEFAULT_API_PORT,
  children,
}: {
  /** Normalised DUPLEX_API_URL, read by the root layout at request time. */
  apiUrl: string | null;
  /** The api's port on the page's host (API_PORT, read by the root layout; else 3001). */
  fallbackPort?: number;
  children: ReactNode;
}) {
  const readFallbackFromLocation = useCallback(
    () => fallbackApiUrl(window.location, fallbackPort),
    [fallbackPort],
  );
  const fallback = useSyncExternalStore(
    noSubscription,
    readFallbackFromLocation,
    noFallbackOnServer,
  );
  const apiUrl = configuredApiUrl ?? fallback;

  const config = useMemo<ApiConfig>(
    () => ({
      apiUrl,
      source: configuredApiUrl ? 'env' : 'fallback',
      fallbackPort,
      wsUrl: apiUrl ? toWebSocketUrl(apiUrl, WS_PATH) : null,
      echoUrl: apiUrl ? toWebSocketUrl(apiUrl, ECHO_WS_PATH) : null,
    }),
    [apiUrl, configuredApiUrl, fallbackPort],
  );

  return <ApiConfigContext.Provider value={config}>{children}</ApiConfigContext.Provider>;
}

export function useApiConfig(): ApiConfig {
  const config = useContext(ApiConfigContext);
  if (!config) throw new Error('useApiConfig must be used inside <ConfigProvider>');
  return config;
}
