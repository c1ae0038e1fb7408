import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  isTextMessage,
  MAX_SERVER_FRAME_BYTES,
  PROTOCOL_BOUNDS,
  type CallRecord,
} from '@duplex/protocol';
import type { NewMessage } from '../src/storage/message-store.js';
import { openPgliteClient } from '../src/storage/pglite-client.js';
import { migrate, MIGRATIONS } from '../src/storage/schema.js';
import type { SqlClient } from '../src/storage/sql-client.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';

let dir: string;
let sql: SqlClient;
let store: SqlMessageStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duplex-store-test-'));
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  sql = await openPgliteClient(dir);
  await migrate(sql);
  store = new SqlMessageStore(sql);
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const ann = { userId: 'u-ann', name: 'Ann' };
const bob = { userId: 'u-bob', name: 'Bob' };
const message = (room: string, clientId: string, text: string, from = ann): NewMessage => ({
  room,
  clientId,
  from,
  text,
  ts: new Date().toISOString(),
});

describe('SqlMessageStore on PGlite', () => {
  it('numbers a batch in order, starting at 1 and without gaps', async () => {
    const stored = await store.appendBatch('numbers', [
      message('numbers', 'a', 'one'),
      message('numbers', 'b', 'two'),
      message('numbers', 'c', 'three'),
    ]);
    expect(stored.map((s) => [s.message.seq, s.message.text, s.duplicate])).toEqual([
      [1, 'one', false],
      [2, 'two', false],
      [3, 'three', false],
    ]);
    const next = await store.appendBatch('numbers', [message('numbers', 'd', 'four')]);
    expect(next[0]!.message.seq).toBe(4);
  });

  it('returns the first message for a stored or repeated (user, clientId), whatever the text', async () => {
    const [first] = await store.appendBatch('dupes', [message('dupes', 'x', 'original')]);
    const stored = await store.appendBatch('dupes', [
      message('dupes', 'x', 'retry with new text'),
      message('dupes', 'y', 'new'),
      message('dupes', 'y', 'same batch repeat'),
      message('dupes', 'x', 'from bob', bob),
    ]);
    expect(stored[0]).toEqual({ message: first!.message, duplicate: true });
    expect(stored[1]).toMatchObject({ duplicate: false, message: { seq: 2, text: 'new' } });
    expect(stored[2]).toMatchObject({ duplicate: true, message: { seq: 2, text: 'new' } });
    expect(stored[3]).toMatchObject({
      duplicate: false,
      message: { seq: 3, text: 'from bob', from: bob },
    });
    expect((await store.page('dupes', { limit: 10 })).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('keeps rooms apart and lists them with their last seq', async () => {
    await store.appendBatch('left', [message('left', 'a', 'l1')]);
    await store.appendBatch('right', [message('right', 'a', 'r1'), message('right', 'b', 'r2')]);
    const rooms = await store.rooms();
    expect(rooms).toContainEqual({ room: 'left', lastSeq: 1 });
    expect(rooms).toContainEqual({ room: 'right', lastSeq: 2 });
  });

  it('keeps text exactly as sent and times as written', async () => {
    const text = '  <b>hi</b>\n\tthere 👋  ';
    const input = message('exact', 'a', text);
    const [stored] = await store.appendBatch('exact', [input]);
    const [read] = await store.page('exact', { limit: 1 });
    expect(read).toEqual(stored!.message);
    expect(isTextMessage(read!) && read.text).toBe(text);
    expect(read!.ts).toBe(input.ts);
  });

  it('answers history for an unknown room with nothing', async () => {
    expect(await store.history('nobody-here', undefined, MAX_SERVER_FRAME_BYTES)).toEqual({
      history: [],
      lastSeq: 0,
      recovered: false,
    });
    expect(await store.history('nobody-here', 0, MAX_SERVER_FRAME_BYTES)).toEqual({
      history: [],
      lastSeq: 0,
      recovered: true,
    });
  });

  it('stores a call record under the next seq, between text messages, without a clientId', async () => {
    await store.appendBatch('calls', [message('calls', 'a', 'before')]);
    const record: CallRecord = {
      callId: 'call-1',
      caller: ann,
      callee: bob,
      video: true,
      outcome: 'completed',
      startedAt: '2026-01-01T10:00:00.000Z',
      answeredAt: '2026-01-01T10:00:05.000Z',
      endedAt: '2026-01-01T10:01:05.000Z',
      durationMs: 60_000,
    };
    const stored = await store.appendCall('calls', record, record.endedAt);
    expect(stored).toEqual({
      room: 'calls',
      seq: 2,
      kind: 'call',
      call: record,
      ts: record.endedAt,
    });
    await store.appendBatch('calls', [message('calls', 'b', 'after')]);

    const page = await store.page('calls', { limit: 10 });
    expect(page.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(page[1]).toEqual(stored);
    expect(page[1]).not.toHaveProperty('clientId');
    expect(page.filter(isTextMessage).map((m) => m.text)).toEqual(['before', 'after']);
    expect((await store.history('calls', 1, MAX_SERVER_FRAME_BYTES)).history[0]).toEqual(stored);
  });

  it('pages forward with after: the oldest `limit` after it, increasing', async () => {
    await store.appendBatch(
      'forward',
      Array.from({ length: 8 }, (_, i) => message('forward', `f-${i}`, `m${i + 1}`)),
    );
    expect((await store.page('forward', { after: 0, limit: 3 })).map((m) => m.seq)).toEqual([
      1, 2, 3,
    ]);
    expect((await store.page('forward', { after: 5, limit: 10 })).map((m) => m.seq)).toEqual([
      6, 7, 8,
    ]);
    expect(await store.page('forward', { after: 8, limit: 10 })).toEqual([]);
    expect((await store.page('forward', { before: 4, limit: 2 })).map((m) => m.seq)).toEqual([
      2, 3,
    ]);
  });

  it('history: everything after since up to 500 missed, else (or from the future) the latest 50', async () => {
    const room = 'recovery';
    await store.appendBatch(
      room,
      Array.from({ length: 520 }, (_, i) => message(room, `r-${i}`, `n${i + 1}`)),
    );
    const max = PROTOCOL_BOUNDS.historyRecoveryMax;
    const recovered = await store.history(room, 520 - max, MAX_SERVER_FRAME_BYTES);
    expect(recovered).toMatchObject({ lastSeq: 520, recovered: true });
    expect(recovered.history.map((m) => m.seq)).toEqual(
      Array.from({ length: max }, (_, i) => 521 - max + i),
    );
    const latest = Array.from({ length: PROTOCOL_BOUNDS.historyPageSize }, (_, i) => 471 + i);
    for (const since of [520 - max - 1, 521, undefined]) {
      const fallback = await store.history(room, since, MAX_SERVER_FRAME_BYTES);
      expect(fallback.recovered, String(since)).toBe(false);
      expect(fallback.history.map((m) => m.seq)).toEqual(latest);
    }
  });

  it('history holds at most maxBytes of text, the newest kept, and is then not recovered', async () => {
    const room = 'bounded';
    await store.appendBatch(
      room,
      Array.from({ length: 10 }, (_, i) => message(room, `b-${i}`, String(i).repeat(100))),
    );
    const whole = await store.history(room, 5, 10_000);
    expect(whole.recovered).toBe(true);
    expect(whole.history.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    for (const since of [0, undefined]) {
      const bounded = await store.history(room, since, 450);
      expect(bounded).toMatchObject({ lastSeq: 10, recovered: false });
      expect(bounded.history.map((m) => m.seq)).toEqual([7, 8, 9, 10]);
    }
  });

  it('runs its migrations once: migrating again changes nothing, every version is recorded', async () => {
    await migrate(sql);
    const versions = await sql.query<{ version: number }>(
      'SELECT version FROM duplex_schema_migrations ORDER BY version',
    );
    expect(versions.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await store.page('numbers', { limit: 10 })).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });
});
