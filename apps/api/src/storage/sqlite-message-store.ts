import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { CallRecord, ChatMessage } from '@duplex/protocol';
import { MessageKind, PROTOCOL_BOUNDS } from '@duplex/protocol/constants';
import Sqlite, { type Database } from 'better-sqlite3';
import { SQLITE_FILE } from './embedded-engine.js';
import type {
  MessageStore,
  NewMessage,
  PageQuery,
  RoomHistory,
  RoomSummary,
  StoredMessage,
} from './message-store.js';
import { messageFromRow, textMessageFromRow, type MessageRow } from './message-rows.js';
import { migrateSqlite } from './sqlite-schema.js';

const COLUMNS = 'room, seq, kind, client_id, user_id, user_name, body, ts';

/** Statements prepared once: SQLite compiles each on first use, every later run reuses it. */
function prepareStatements(db: Database) {
  return {
    known: db.prepare<[string, string, string], MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages WHERE room = ? AND user_id = ? AND client_id = ?`,
    ),
    nextSeq: db.prepare<[string], { last_seq: number }>(
      `INSERT INTO chat_rooms (room, last_seq) VALUES (?, 1)
       ON CONFLICT (room) DO UPDATE SET last_seq = last_seq + 1
       RETURNING last_seq`,
    ),
    insert: db.prepare<[string, number, string, string | null, string, string, string, string]>(
      `INSERT INTO chat_messages (room, seq, kind, client_id, user_id, user_name, body, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    lastSeq: db.prepare<[string], { last_seq: number }>(
      'SELECT last_seq FROM chat_rooms WHERE room = ?',
    ),
    newestBetween: db.prepare<[string, number, number, number], MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages WHERE room = ? AND seq > ? AND seq <= ?
       ORDER BY seq DESC LIMIT ?`,
    ),
    oldestAfter: db.prepare<[string, number, number], MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    newestBefore: db.prepare<[string, number, number], MessageRow>(
      `SELECT ${COLUMNS} FROM chat_messages WHERE room = ? AND seq < ?
       ORDER BY seq DESC LIMIT ?`,
    ),
    rooms: db.prepare<[], { room: string; last_seq: number }>(
      'SELECT room, last_seq FROM chat_rooms ORDER BY room',
    ),
    lastSeqs: db.prepare<[string], { room: string; last_seq: number }>(
      'SELECT room, last_seq FROM chat_rooms WHERE room IN (SELECT value FROM json_each(?))',
    ),
    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
  };
}

/**
 * The newest of `rows` (newest first) whose text adds up to at most `maxBytes`, oldest first:
 * what a join's ack can carry.
 */
function newestWithinBytes(rows: MessageRow[], maxBytes: number): MessageRow[] {
  let bytes = 0;
  let kept = 0;
  for (const row of rows) {
    bytes += Buffer.byteLength(row.body);
    if (bytes > maxBytes) break;
    kept += 1;
  }
  return rows.slice(0, kept).reverse();
}

/**
 * The embedded store: SQLite in the data folder, through better-sqlite3. Every commit is durable
 * (write-ahead log, `synchronous = FULL`: the log is fsynced before a commit returns). Its calls
 * block while SQLite works, so the api runs it in a worker thread (store-worker.ts).
 */
export class SqliteMessageStore implements MessageStore {
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(private readonly db: Database) {
    this.statements = prepareStatements(db);
  }

  async appendBatch(room: string, messages: NewMessage[]): Promise<StoredMessage[]> {
    return this.appendInOrder(room, messages);
  }

  async appendCall(room: string, call: CallRecord, ts: string): Promise<ChatMessage> {
    const { nextSeq, insert } = this.statements;
    const seq = this.db.transaction(() => {
      const { last_seq } = nextSeq.get(room)!;
      const { caller } = call;
      insert.run(
        room,
        last_seq,
        MessageKind.Call,
        null,
        caller.userId,
        caller.name,
        JSON.stringify(call),
        ts,
      );
      return last_seq;
    })();
    return { room, seq, kind: MessageKind.Call, call, ts };
  }

  async history(room: string, since: number | undefined, maxBytes: number): Promise<RoomHistory> {
    const { lastSeq: lastSeqOf, newestBetween } = this.statements;
    // One read transaction, so the history and its `lastSeq` are of one moment.
    return this.db.transaction(() => {
      const lastSeq = lastSeqOf.get(room)?.last_seq ?? 0;
      const missed = since === undefined ? Infinity : lastSeq - since;
      const recovering = missed >= 0 && missed <= PROTOCOL_BOUNDS.historyRecoveryMax;
      const rows = newestBetween.all(
        room,
        recovering ? since! : 0,
        lastSeq,
        recovering ? missed : PROTOCOL_BOUNDS.historyPageSize,
      );
      const history = newestWithinBytes(rows, maxBytes).map(messageFromRow);
      if (recovering && history.length === missed) return { history, lastSeq, recovered: true };
      return {
        history: history.slice(-PROTOCOL_BOUNDS.historyPageSize),
        lastSeq,
        recovered: false,
      };
    })();
  }

  async page(room: string, { before, after, limit }: PageQuery): Promise<ChatMessage[]> {
    const { oldestAfter, newestBefore } = this.statements;
    if (after !== undefined) return oldestAfter.all(room, after, limit).map(messageFromRow);
    return newestBefore
      .all(room, before ?? Number.MAX_SAFE_INTEGER, limit)
      .reverse()
      .map(messageFromRow);
  }

  async rooms(): Promise<RoomSummary[]> {
    return this.statements.rooms.all().map((row) => ({ room: row.room, lastSeq: row.last_seq }));
  }

  async lastSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    if (rooms.length === 0) return new Map();
    const rows = this.statements.lastSeqs.all(JSON.stringify(rooms));
    return new Map(rows.map((row) => [row.room, row.last_seq]));
  }

  async ping(): Promise<boolean> {
    try {
      return this.statements.ping.get()?.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /**
   * In one transaction: a message whose `(userId, clientId)` is stored in the room (or came
   * earlier in the batch) is answered with the stored one; every other gets the next seq.
   */
  private appendInOrder(room: string, messages: NewMessage[]): StoredMessage[] {
    const { known, nextSeq, insert } = this.statements;
    return this.db.transaction(() =>
      messages.map((message): StoredMessage => {
        const stored = known.get(room, message.from.userId, message.clientId);
        if (stored) return { message: textMessageFromRow(stored), duplicate: true };
        const { last_seq: seq } = nextSeq.get(room)!;
        const { clientId, from, text, ts } = message;
        insert.run(room, seq, MessageKind.Text, clientId, from.userId, from.name, text, ts);
        return { message: { room, seq, clientId, from, text, ts }, duplicate: false };
      }),
    )();
  }
}

/** Opens (creating when needed) and migrates the SQLite store in `dataDir`. */
export function openSqliteStore(dataDir: string): SqliteMessageStore {
  mkdirSync(dataDir, { recursive: true });
  const db = new Sqlite(join(dataDir, SQLITE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrateSqlite(db);
    // The file and its log were (possibly) just created: their names must be durable too.
    syncFolder(dataDir);
    return new SqliteMessageStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
