import { PROTOCOL_BOUNDS, schemas, type MembersPage } from '@duplex/protocol';
import { getJson, HttpRequestError, type FetchLike } from './http-request.js';

export class MembersRequestError extends HttpRequestError {
  override readonly name = 'MembersRequestError';
}

/**
 * Fetches one page of `room`'s members over HTTP (`GET /api/rooms/:room/members`): up to
 * `limit` users ordered by `userId`, those after `after` (from the first when absent).
 */
export function fetchMembersPage(
  fetch: FetchLike,
  httpBase: string,
  room: string,
  after: string | undefined,
  limit: number,
): Promise<MembersPage> {
  const query = `${after !== undefined ? `after=${encodeURIComponent(after)}&` : ''}limit=${limit}`;
  return getJson(
    fetch,
    `${httpBase}/api/rooms/${encodeURIComponent(room)}/members?${query}`,
    schemas.membersPage,
    (message, status, code) => new MembersRequestError(`Members request: ${message}`, status, code),
  );
}

/** A page size the api serves as asked: 1 to `membersPageMaxLimit`. */
export function clampMembersLimit(limit: number): number {
  if (!Number.isFinite(limit)) return PROTOCOL_BOUNDS.membersPageSize;
  return Math.min(Math.max(1, Math.floor(limit)), PROTOCOL_BOUNDS.membersPageMaxLimit);
}
