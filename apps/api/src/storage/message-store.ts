import type { ChatMessage, User } from '@duplex/protocol';

export interface NewMessage {
  room: string;
  clientId: string;
  from: User;
  text: string;
  ts: string;
}

export interface StoredMessage {
  message: ChatMessage;
  /** True when `(userId, room, clientId)` was already stored: `message` is the first one. */
  duplicate: boolean;
}

export interface RoomHistory {
  history: ChatMessage[];
  lastSeq: number;
  recovered: boolean;
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
  /** History for a join: everything after `since` when that is at most 500, else the latest 50. */
  history(room: string, since?: number): Promise<RoomHistory>;
  /** Up to `limit` messages with `seq < before` (the newest without `before`), increasing `seq`. */
  page(room: string, options: { before?: number; limit: number }): Promise<ChatMessage[]>;
  rooms(): Promise<RoomSummary[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const MESSAGE_STORE = Symbol('MESSAGE_STORE');
