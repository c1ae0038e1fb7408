import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTextMessage, type ChatMessage } from '@duplex/protocol';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chooseEmbeddedEngine,
  engineInDataDir,
  SQLITE_FILE,
} from '../src/storage/embedded-engine.js';
import { openSqliteStore } from '../src/storage/sqlite-message-store.js';
import { SQLITE_SCHEMA_VERSION } from '../src/storage/sqlite-schema.js';
import { startServer, type TestServer } from './support/api-server.js';
import { joinAs, say, uniqueRoom } from './support/chat-helpers.js';
import { keptDataDir, type DataDir } from './support/data-dir.js';

const ann = { userId: 'u-ann', name: 'Ann' };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-embedded-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function kept(engine: 'sqlite' | 'pglite'): Promise<DataDir> {
  const dir = await keptDataDir(engine);
  cleanups.push(() => dir.remove());
  return dir;
}

async function started(settings: Record<string, string>): Promise<TestServer> {
  const server = await startServer(settings);
  cleanups.push(() => server.stop());
  return server;
}

describe('choosing the embedded store', () => {
  it('auto: SQLite for an empty folder, else the engine whose database the folder holds', async () => {
    const empty = await emptyDir();
    expect(engineInDataDir(empty)).toBeUndefined();
    expect(chooseEmbeddedEngine('auto', empty)).toBe('sqlite');
    expect(chooseEmbeddedEngine('auto', (await kept('pglite')).path)).toBe('pglite');
    const sqlite = await emptyDir();
    await openSqliteStore(sqlite).close();
    expect(chooseEmbeddedEngine('auto', sqlite)).toBe('sqlite');
  });

  it('an engine asked for by name is used on an empty folder, and refused on the other’s database', async () => {
    expect(chooseEmbeddedEngine('pglite', await emptyDir())).toBe('pglite');
    const pglite = (await kept('pglite')).path;
    expect(() => chooseEmbeddedEngine('sqlite', pglite)).toThrow(
      /EMBEDDED_STORE=sqlite, but DATA_DIR .* holds a pglite database/,
    );
    const sqlite = await emptyDir();
    await writeFile(join(sqlite, SQLITE_FILE), '');
    expect(() => chooseEmbeddedEngine('pglite', sqlite)).toThrow(/holds a sqlite database/);
  });

  it('an api on a folder PGlite made goes on with its history; a new folder gets SQLite', async () => {
    const room = uniqueRoom('upgrade');
    const pglite = await kept('pglite');
    const first = await started({ DATA_DIR: pglite.path, EMBEDDED_STORE: 'pglite' });
    const before = await joinAs(first, 'Ann', room);
    const { seq } = await say(before, room, 'kept by PGlite');
    await before.client.close();
    await first.stop();

    const again = await started({ DATA_DIR: pglite.path });
    expect(engineInDataDir(pglite.path)).toBe('pglite');
    const after = await joinAs(again, 'Ann', room);
    const { history } = after.join as { history: ChatMessage[] };
    const texts = history.filter(isTextMessage).map((m) => [m.seq, m.text]);
    expect(texts).toEqual([[seq, 'kept by PGlite']]);
    await after.client.close();

    const fresh = await emptyDir();
    await started({ DATA_DIR: fresh });
    expect(engineInDataDir(fresh)).toBe('sqlite');
  });
});

describe('the SQLite store', () => {
  it('is created at the newest schema version, and reopened with its messages and seq', async () => {
    const dir = await emptyDir();
    const store = openSqliteStore(dir);
    await store.appendBatch('room', [
      { room: 'room', clientId: 'a', from: ann, text: 'one', ts: new Date().toISOString() },
    ]);
    await store.close();
    const db = new Sqlite(join(dir, SQLITE_FILE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const reopened = openSqliteStore(dir);
    const [stored] = await reopened.appendBatch('room', [
      { room: 'room', clientId: 'b', from: ann, text: 'two', ts: new Date().toISOString() },
    ]);
    expect(stored!.message.seq).toBe(2);
    expect((await reopened.page('room', { limit: 10 })).map((m) => m.seq)).toEqual([1, 2]);
    await reopened.close();
  });

  it('refuses a file written by a newer build, and leaves it as it was', async () => {
    const dir = await emptyDir();
    await openSqliteStore(dir).close();
    const db = new Sqlite(join(dir, SQLITE_FILE));
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStore(dir)).toThrow(/schema version \d+; this build knows up to/);
    const after = new Sqlite(join(dir, SQLITE_FILE), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION + 1);
    after.close();
  });
});
