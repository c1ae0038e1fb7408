/** Port the api listens on when neither DUPLEX_API_URL nor API_PORT is set (the `pnpm dev` default). */
export const DEFAULT_API_PORT = 3001;

/** The api's port on the page's host, from API_PORT (`npm start` passes it on); null when unusable. */
export function parseApiPort(raw: string | undefined | null): number | null {
  const value = raw?.trim();
  if (!value || !/^\d+$/.test(value)) return null;
  const port = Number(value);
  return port >= 1 && port <= 65_535 ? port : null;
}

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

/** The api's URL when none is configured: same host as the page, on `port`. */
export function fallbackApiUrl(
  location: Pick<Location, 'protocol' | 'hostname'>,
  port: number = DEFAULT_API_PORT,
): string {
  // An IPv6 hostname arrives bracketed from `location.hostname`, so it can be used as-is.
  return `${location.protocol}//${location.hostname}:${port}`;
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
