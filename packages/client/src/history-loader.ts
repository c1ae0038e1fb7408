import { PROTOCOL_BOUNDS, schemas, type ChatMessage } from '@duplex/protocol';

/** The part of the WHATWG `fetch` the client uses. */
export type FetchLike = (
  url: string,
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export class HistoryRequestError extends Error {
  override readonly name = 'HistoryRequestError';

  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const messagePage = schemas.chatMessage.array();

/**
 * Fetches up to `limit` messages of `room` with `seq < before` over HTTP
 * (`GET /api/rooms/:room/messages`), in increasing `seq`. `limit` is clamped to what the api serves.
 */
export async function fetchOlderMessages(
  fetch: FetchLike,
  httpBase: string,
  room: string,
  before: number,
  limit: number,
): Promise<ChatMessage[]> {
  const query = `before=${before}&limit=${clampLimit(limit)}`;
  const response = await fetch(
    `${httpBase}/api/rooms/${encodeURIComponent(room)}/messages?${query}`,
  );
  if (!response.ok)
    throw new HistoryRequestError(
      `History request failed with HTTP ${response.status}`,
      response.status,
    );
  const parsed = messagePage.safeParse(await response.json());
  if (!parsed.success)
    throw new HistoryRequestError('The history response does not match the protocol');
  return parsed.data.filter((message) => message.room === room && message.seq < before);
}

export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return PROTOCOL_BOUNDS.historyPageSize;
  return Math.min(Math.max(1, Math.floor(limit)), PROTOCOL_BOUNDS.httpHistoryMaxLimit);
}
