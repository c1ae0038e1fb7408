/**
 * Browser origins allowed to open a WebSocket. Requests without an Origin header come from
 * non-browser clients and are allowed; `*` in the list allows every origin.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  return allowed.includes('*') || allowed.includes(origin);
}
