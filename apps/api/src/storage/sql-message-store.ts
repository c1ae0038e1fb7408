import type { CallRecord, ChatMessage } from '@duplex/protocol';
import { MessageKind, PROTOCOL_BOUNDS } from '@duplex/protocol/constants';
import type {
  MessageStore,
  NewMessage,
  PageQuery,
  RoomHistory,
  RoomSummary,
  StoredMessage,
} from './message-store.js';
import { messageFromRow, textMessageFromRow, type MessageRow } from './message-rows.js';
import type { SqlClient } from './sql-client.js';

const COLUMNS = 'room, seq, kind, client_id, user_id, user_name, body, ts';

/**
 * Stores a batch for one room: messages whose `(user_id, client_id)` is already stored (or
 * repeated within the batch) are returned as found; the others get the next seqs, in order.
 * Parameters: room, then parallel arrays of client_id, user_id, user_name, body, ts.
 */
const APPEND_BATCH = `
WITH input AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    WITH ORDINALITY AS t(client_id, user_id, user_name, body, ts, ord)
),
known AS (
  SELECT m.client_id, m.user_id, m.seq, m.user_name, m.body, m.ts
  FROM chat_messages m
  WHERE m.room = $1::text AND (m.user_id, m.client_id) IN (SELECT user_id, client_id FROM input)
),
fresh AS (
  SELECT DISTINCT ON (i.user_id, i.client_id) i.*
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.user_id = i.user_id AND k.client_id = i.client_id)
  ORDER BY i.user_id, i.client_id, i.ord
),
numbered AS (
  SELECT f.*, row_number() OVER (ORDER BY f.ord) AS position, count(*) OVER () AS total FROM fresh f
),
bump AS (
  INSERT INTO chat_rooms (room, last_seq)
  SELECT $1::text, count(*) FROM fresh HAVING count(*) > 0
  ON CONFLICT (room) DO UPDATE SET last_seq = chat_rooms.last_seq + excluded.last_seq
  RETURNING last_seq
),
inserted AS (
  INSERT INTO chat_messages (room, seq, client_id, user_id, user_name, body, ts)
  SELECT $1::text, (b.last_seq - n.total + n.position)::integer, n.client_id, n.user_id, n.user_name, n.body, n.ts
  FROM numbered n CROSS JOIN bump b
  RETURNING client_id, user_id, seq, user_name, body, ts
)
SELECT client_id, user_id, seq, user_name, body, ts, 'text' AS kind, true AS fresh FROM inserted
UNION ALL
SELECT client_id, user_id, seq, user_name, body, ts, 'text' AS kind, false AS fresh FROM known`;

/** Stores one call record under the room's next seq (the caller as its author). */
const APPEND_CALL = `
WITH bump AS (
  INSERT INTO chat_rooms (room, last_seq) VALUES ($1::text, 1)
  ON CONFLICT (room) DO UPDATE SET last_seq = chat_rooms.last_seq + 1
  RETURNING last_seq
)
INSERT INTO chat_messages (room, seq, kind, client_id, user_id, user_name, body, ts)
SELECT $1::text, b.last_seq, '${MessageKind.Call}', NULL, $2::text, $3::text, $4::text, $5::text
FROM bump b
RETURNING seq`;
const UNIQUE_VIOLATION = '23505';
/** A readiness probe answers within this, also while the database does not answer at all. */
const PING_TIMEOUT_MS = 1_000;

/**
 * The newest messages with `$2 < seq <= $3`, at most `$4` of them and `$5` bytes of text,
 * in increasing `seq`: a join never reads more than its ack can carry.
 */
const NEWEST_WITHIN_BYTES = `
SELECT ${COLUMNS} FROM (
  SELECT ${COLUMNS}, sum(octet_length(body)) OVER (ORDER BY seq DESC) AS newest_bytes
  FROM (
    SELECT ${COLUMNS} FROM chat_messages
    WHERE room = $1 AND seq > $2 AND seq <= $3
    ORDER BY seq DESC
    LIMIT $4
  ) newest
) sized
WHERE newest_bytes <= $5
ORDER BY seq`;

const identity = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;

/** {@link MessageStore} on SQL, shared by PGlite and PostgreSQL. */
export class SqlMessageStore implements MessageStore {
  constructor(private readonly sql: SqlClient) {}

  async appendBatch(room: string, messages: NewMessage[]): Promise<StoredMessage[]> {
    try {
      return await this.append(room, messages);
    } catch (error) {
      // Another instance stored one of these clientIds first; the retry finds it stored.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      return this.append(room, messages);
    }
  }

  async appendCall(room: string, call: CallRecord, ts: string): Promise<ChatMessage> {
    const rows = await this.sql.query<{ seq: number }>(APPEND_CALL, [
      room,
      call.caller.userId,
      call.caller.name,
      JSON.stringify(call),
      ts,
    ]);
    return { room, seq: Number(rows[0]!.seq), kind: MessageKind.Call, call, ts };
  }

  /** One statement, so one round trip and one implicit transaction per batch. */
  private async append(room: string, messages: NewMessage[]): Promise<StoredMessage[]> {
    const rows = await this.sql.query<MessageRow & { fresh: boolean }>(APPEND_BATCH, [
      room,
      messages.map((message) => message.clientId),
      messages.map((message) => message.from.userId),
      messages.map((message) => message.from.name),
      messages.map((message) => message.text),
      messages.map((message) => message.ts),
    ]);
    const byIdentity = new Map(
      rows.map((row) => [identity(row.user_id, row.client_id ?? ''), row]),
    );
    const reported = new Set<string>();
    return messages.map((message) => {
      const key = identity(message.from.userId, message.clientId);
      const row = byIdentity.get(key);
      if (!row) throw new Error(`message ${message.clientId} was neither stored nor found`);
      const firstReport = !reported.has(key);
      reported.add(key);
      return {
        message: textMessageFromRow({ ...row, room }),
        duplicate: !(row.fresh && firstReport),
      };
    });
  }

  async history(room: string, since: number | undefined, maxBytes: number): Promise<RoomHistory> {
    const lastSeq = await this.lastSeq(room);
    const missed = since === undefined ? Infinity : lastSeq - since;
    const recovering = missed >= 0 && missed <= PROTOCOL_BOUNDS.historyRecoveryMax;
    // Bounded by `lastSeq`, so a message stored meanwhile is not in the history but comes live.
    const rows = await this.sql.query<MessageRow>(NEWEST_WITHIN_BYTES, [
      room,
      recovering ? since : 0,
      lastSeq,
      recovering ? missed : PROTOCOL_BOUNDS.historyPageSize,
      maxBytes,
    ]);
    const history = rows.map(messageFromRow);
    if (recovering && history.length === missed) return { history, lastSeq, recovered: true };
    return { history: history.slice(-PROTOCOL_BOUNDS.historyPageSize), lastSeq, recovered: false };
  }

  async page(room: string, { before, after, limit }: PageQuery): Promise<ChatMessage[]> {
    if (after !== undefined) {
      const rows = await this.sql.query<MessageRow>(
        `SELECT ${COLUMNS} FROM chat_messages WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [room, after, limit],
      );
      return rows.map(messageFromRow);
    }
    const rows = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages
       WHERE room = $1 AND ($2::integer IS NULL OR seq < $2)
       ORDER BY seq DESC LIMIT $3`,
      [room, before ?? null, limit],
    );
    return rows.reverse().map(messageFromRow);
  }

  async rooms(): Promise<RoomSummary[]> {
    const rows = await this.sql.query<{ room: string; last_seq: number }>(
      'SELECT room, last_seq FROM chat_rooms ORDER BY room',
    );
    return rows.map((row) => ({ room: row.room, lastSeq: Number(row.last_seq) }));
  }

  async lastSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    if (rooms.length === 0) return new Map();
    const rows = await this.sql.query<{ room: string; last_seq: number }>(
      'SELECT room, last_seq FROM chat_rooms WHERE room = ANY($1::text[])',
      [rooms],
    );
    return new Map(rows.map((row) => [row.room, Number(row.last_seq)]));
  }

  /** True when the database answers within a second; false (never a hang) otherwise. */
  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const answered = this.sql.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  private async lastSeq(room: string): Promise<number> {
    const rows = await this.sql.query<{ last_seq: number }>(
      'SELECT last_seq FROM chat_rooms WHERE room = $1',
      [room],
    );
    return rows[0] ? Number(rows[0].last_seq) : 0;
  }
}
