import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { NewMessage } from '../src/storage/message-store.js';
import { openPgliteClient } from '../src/storage/pglite-client.js';
import { migrate } from '../src/storage/schema.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';

let dir: string;
let store: SqlMessageStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duplex-store-test-'));
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  const client = await openPgliteClient(dir);
  await migrate(client);
  store = new SqlMessageStore(client);
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
    expect(read!.text).toBe(text);
    expect(read!.ts).toBe(input.ts);
  });

  it('answers history for an unknown room with nothing', async () => {
    expect(await store.history('nobody-here')).toEqual({
      history: [],
      lastSeq: 0,
      recovered: false,
    });
    expect(await store.history('nobody-here', 0)).toEqual({
      history: [],
      lastSeq: 0,
      recovered: true,
    });
  });
});
