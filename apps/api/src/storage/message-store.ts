import type { CallRecord, ChatMessage, TextMessage, User } from '@duplex/protocol';

export interface NewMessage {
  room: string;
  clientId: string;
  from: User;
  text: string;
  ts: string;
}

export interface StoredMessage {
  message: TextMessage;
  /** True when `(userId, room, clientId)` was already stored: `message` is the first one. */
  duplicate: boolean;
}

export interface RoomHistory {
  history: ChatMessage[];
  lastSeq: number;
  recovered: boolean;
}

/**
 * A page of history: `after` gives the oldest `limit` with `seq > after`; otherwise the newest
 * `limit` with `seq < before` (the newest of all without `before`). Both in increasing `seq`.
 */
export interface PageQuery {
  before?: number;
  after?: number;
  limit: number;
}

export interface RoomSummary {
  room: string;
  lastSeq: number;
}

/**
 * Durable chat history. `seq` is per room, starts at 1 and grows by exactly 1 per stored
 * message; `(userId, room, clientId)` is stored once.
 */
export interface MessageStore {
  /** Stores messages of one room in order, in one transaction; resolves once durable. */
  appendBatch(room: string, messages: NewMessage[]): Promise<StoredMessage[]>;
  /** Stores a call's outcome in its room under the next `seq`; resolves once durable. */
  appendCall(room: string, call: CallRecord, ts: string): Promise<ChatMessage>;
  /**
   * History for a join, at most `maxBytes` of message text, newest kept: everything after
   * `since` when that is at most 500 messages and fits (`recovered`), else the latest 50 that
   * fit. `lastSeq` is the newest `seq` the history accounts for.
   */
  history(room: string, since: number | undefined, maxBytes: number): Promise<RoomHistory>;
  page(room: string, query: PageQuery): Promise<ChatMessage[]>;
  rooms(): Promise<RoomSummary[]>;
  /** The newest `seq` of each of `rooms` that has a message. */
  lastSeqs(rooms: readonly string[]): Promise<Map<string, number>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const MESSAGE_STORE = Symbol('MESSAGE_STORE');
