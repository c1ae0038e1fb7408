import { PROTOCOL_BOUNDS, schemas, type ChatMessage } from '@duplex/protocol';
import { getJson, HttpRequestError, type FetchLike } from './http-request.js';

export class HistoryRequestError extends HttpRequestError {
  override readonly name = 'HistoryRequestError';
}

/**
 * Fetches up to `limit` messages of `room` with `seq < before` over HTTP
 * (`GET /api/rooms/:room/messages`), in increasing `seq`, text and call messages alike (kinds
 * this client does not know are skipped). `limit` is clamped to what the api serves.
 */
export async function fetchOlderMessages(
  fetch: FetchLike,
  httpBase: string,
  room: string,
  before: number,
  limit: number,
): Promise<ChatMessage[]> {
  const query = `before=${before}&limit=${clampLimit(limit)}`;
  const messages = await getJson(
    fetch,
    `${httpBase}/api/rooms/${encodeURIComponent(room)}/messages?${query}`,
    schemas.chatMessageList,
    (message, status, code) => new HistoryRequestError(`History request: ${message}`, status, code),
  );
  return messages.filter((message) => message.room === room && message.seq < before);
}

export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return PROTOCOL_BOUNDS.historyPageSize;
  return Math.min(Math.max(1, Math.floor(limit)), PROTOCOL_BOUNDS.httpHistoryMaxLimit);
}
