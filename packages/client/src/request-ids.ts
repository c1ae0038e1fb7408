/** Short unique request ids for one client: an incrementing counter in base 36. */
export function createRequestIdGenerator(): () => string {
  let counter = 0;
  return () => (++counter).toString(36);
}
