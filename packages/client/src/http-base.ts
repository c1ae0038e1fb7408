/**
 * The api's HTTP origin derived from its WebSocket URL: `ws:` → `http:`, `wss:` → `https:`, path,
 * query and fragment dropped. `ws://127.0.0.1:3001/ws` → `http://127.0.0.1:3001`.
 */
export function deriveHttpBase(wsUrl: string): string {
  const url = new URL(wsUrl);
  const protocol =
    url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  return `${protocol}//${url.host}`;
}

/** `base` without trailing slashes, so that paths can be appended. */
export function trimTrailingSlash(base: string): string {
  return base.replace(/\/+$/, '');
}
