/** Port the api listens on when DUPLEX_API_URL is not set (the `pnpm dev` default). */
export const DEFAULT_API_PORT = 3001;

export const WS_PATH = '/ws';
export const ECHO_WS_PATH = '/ws/echo';

/**
 * Validates an http(s) api base URL (e.g. from DUPLEX_API_URL) and strips a trailing slash.
 * Returns null for an empty or unusable value so callers fall back to the default.
 */
export function normalizeApiUrl(raw: string | undefined | null): string | null {
  const value = raw?.trim();
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/** The api's URL when none is configured: same host as the page, port 3001. */
export function fallbackApiUrl(location: Pick<Location, 'protocol' | 'hostname'>): string {
  // An IPv6 hostname arrives bracketed from `location.hostname`, so it can be used as-is.
  return `${location.protocol}//${location.hostname}:${DEFAULT_API_PORT}`;
}

/** Turns the api's http(s) base URL into the ws(s) URL of one of its WebSocket endpoints. */
export function toWebSocketUrl(apiUrl: string, path: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
