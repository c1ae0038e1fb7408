import type { IceServer } from '@duplex/protocol';

/**
 * Whether a TURN entry's time-limited credentials (TURN REST form: `username` is
 * `"<unix expiry seconds>:<userId>"`) expire within `marginMs` of `nowMs`, or have expired.
 */
export function turnCredentialsExpiring(
  iceServers: readonly IceServer[],
  nowMs: number,
  marginMs: number,
): boolean {
  return iceServers.some((server) => {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
    if (!urls.some((url) => /^turns?:/i.test(url))) return false;
    const expiry = /^(\d+):/.exec(server.username ?? '')?.[1];
    return expiry !== undefined && Number(expiry) * 1000 - nowMs < marginMs;
  });
}
