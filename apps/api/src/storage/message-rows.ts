import type { CallRecord, ChatMessage, TextMessage } from '@duplex/protocol';
import { MessageKind } from '@duplex/protocol/constants';

/** A row of `chat_messages`, as the SQL stores (PostgreSQL, PGlite, SQLite) return it. */
export interface MessageRow {
  room: string;
  seq: number;
  kind: string;
  client_id: string | null;
  user_id: string;
  user_name: string;
  body: string;
  ts: string;
}

export const textMessageFromRow = (row: MessageRow): TextMessage => ({
  room: row.room,
  seq: Number(row.seq),
  clientId: row.client_id ?? '',
  from: { userId: row.user_id, name: row.user_name },
  text: row.body,
  ts: row.ts,
});

/** A call record's row holds the record as JSON in `body`. */
export const messageFromRow = (row: MessageRow): ChatMessage =>
  row.kind === MessageKind.Call
    ? {
        room: row.room,
        seq: Number(row.seq),
        kind: MessageKind.Call,
        call: JSON.parse(row.body) as CallRecord,
        ts: row.ts,
      }
    : textMessageFromRow(row);
