import { PROTOCOL_BOUNDS, type ChatMessage } from '@duplex/protocol';
import type {
  MessageStore,
  NewMessage,
  RoomHistory,
  RoomSummary,
  StoredMessage,
} from './message-store.js';
import type { SqlClient, SqlQueryable } from './sql-client.js';

interface MessageRow {
  room: string;
  seq: number;
  client_id: string;
  user_id: string;
  user_name: string;
  body: string;
  ts: string;
}

const COLUMNS = 'room, seq, client_id, user_id, user_name, body, ts';
const UNIQUE_VIOLATION = '23505';

const toMessage = (row: MessageRow): ChatMessage => ({
  room: row.room,
  seq: Number(row.seq),
  clientId: row.client_id,
  from: { userId: row.user_id, name: row.user_name },
  text: row.body,
  ts: row.ts,
});

const identity = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;

/** {@link MessageStore} on SQL, shared by PGlite and PostgreSQL. */
export class SqlMessageStore implements MessageStore {
  constructor(private readonly sql: SqlClient) {}

  async appendBatch(room: string, messages: NewMessage[]): Promise<StoredMessage[]> {
    try {
      return await this.sql.transaction((tx) => this.appendInTransaction(tx, room, messages));
    } catch (error) {
      // Another instance stored one of these clientIds first; the retry finds it stored.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      return this.sql.transaction((tx) => this.appendInTransaction(tx, room, messages));
    }
  }

  private async appendInTransaction(
    tx: SqlQueryable,
    room: string,
    messages: NewMessage[],
  ): Promise<StoredMessage[]> {
    const known = new Map<string, ChatMessage>();
    const existing = await tx.query<MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages WHERE room = $1 AND client_id = ANY($2::text[])`,
      [room, messages.map((message) => message.clientId)],
    );
    for (const row of existing) known.set(identity(row.user_id, row.client_id), toMessage(row));

    const fresh = messages.filter((message) => {
      const key = identity(message.from.userId, message.clientId);
      if (known.has(key)) return false;
      known.set(key, { ...message, seq: 0 });
      return true;
    });
    if (fresh.length > 0) {
      const [{ last_seq: lastSeq }] = (await tx.query<{ last_seq: number }>(
        `INSERT INTO chat_rooms (room, last_seq) VALUES ($1, $2)
         ON CONFLICT (room) DO UPDATE SET last_seq = chat_rooms.last_seq + $2
         RETURNING last_seq`,
        [room, fresh.length],
      )) as [{ last_seq: number }];
      const firstSeq = Number(lastSeq) - fresh.length + 1;
      const params: unknown[] = [];
      const rows = fresh.map((message, index) => {
        const seq = firstSeq + index;
        known.set(identity(message.from.userId, message.clientId), { ...message, seq });
        const base = params.push(room, seq, message.clientId, message.from.userId, message.from.name, message.text, message.ts) - 7;
        return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7})`;
      });
      await tx.query(`INSERT INTO chat_messages (${COLUMNS}) VALUES ${rows.join(', ')}`, params);
    }
    const freshSet = new Set(fresh);
    return messages.map((message) => ({
      message: known.get(identity(message.from.userId, message.clientId))!,
      duplicate: !freshSet.has(message),
    }));
  }

  async history(room: string, since?: number): Promise<RoomHistory> {
    const lastSeq = await this.lastSeq(room);
    const missed = since === undefined ? Infinity : lastSeq - since;
    if (missed >= 0 && missed <= PROTOCOL_BOUNDS.historyRecoveryMax) {
      const rows = await this.sql.query<MessageRow>(
        `SELECT ${COLUMNS} FROM chat_messages WHERE room = $1 AND seq > $2 ORDER BY seq`,
        [room, since],
      );
      return { history: rows.map(toMessage), lastSeq, recovered: true };
    }
    const history = await this.page(room, { limit: PROTOCOL_BOUNDS.historyPageSize });
    return { history, lastSeq, recovered: false };
  }

  async page(room: string, { before, limit }: { before?: number; limit: number }): Promise<ChatMessage[]> {
    const rows = await this.sql.query<MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages
       WHERE room = $1 AND ($2::integer IS NULL OR seq < $2)
       ORDER BY seq DESC LIMIT $3`,
      [room, before ?? null, limit],
    );
    return rows.reverse().map(toMessage);
  }

  async rooms(): Promise<RoomSummary[]> {
    const rows = await this.sql.query<{ room: string; last_seq: number }>(
      'SELECT room, last_seq FROM chat_rooms ORDER BY room',
    );
    return rows.map((row) => ({ room: row.room, lastSeq: Number(row.last_seq) }));
  }

  async ping(): Promise<boolean> {
    await this.sql.query('SELECT 1');
    return true;
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
