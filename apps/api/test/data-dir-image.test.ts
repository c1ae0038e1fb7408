import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteClient, pgliteSqlClient } from '../src/storage/pglite-client.js';
import { migrate, MIGRATIONS } from '../src/storage/schema.js';
import type { SqlClient } from '../src/storage/sql-client.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';
import { keptDataDir } from './support/data-dir.js';
import { scratchDir } from './support/test-storage.js';

const ann = { userId: 'u-ann', name: 'Ann' };
const dirs: string[] = [];
const clients: SqlClient[] = [];
let image: URL;

/** An image made as the api's build makes it (data-dir-image-build.ts). */
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-image-'));
  dirs.push(dir);
  const db = await PGlite.create();
  await migrate(pgliteSqlClient(db));
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  image = pathToFileURL(join(dir, 'image.tar.gz'));
  await writeFile(image, Buffer.from(await dump.arrayBuffer()));
}, 60_000);
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});
afterAll(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) count += await filesUnder(join(dir, entry.name));
    else if (entry.isFile()) count++;
  }
  return count;
}

const append = (store: SqlMessageStore, clientId: string) =>
  store.appendBatch('room', [
    { room: 'room', clientId, from: ann, text: clientId, ts: new Date().toISOString() },
  ]);

describe('a data folder without a database is filled from the build’s image', () => {
  it('unpacks the image, syncs every file it wrote, and is the durable, migrated database', async () => {
    const dataDir = await scratchDir();
    dirs.push(dataDir);
    // The identity secret is written to DATA_DIR before the store opens.
    await writeFile(join(dataDir, 'identity-secret'), 'secret');
    const synced: number[] = [];
    const client = await openPgliteClient(dataDir, (fd) => synced.push(fd), image);
    clients.push(client);
    expect(synced.length).toBeGreaterThan(await filesUnder(dataDir));
    expect(await client.query('SHOW fsync')).toEqual([{ fsync: 'on' }]);
    const versions = await client.query<{ version: number }>(
      'SELECT version FROM duplex_schema_migrations ORDER BY version',
    );
    expect(versions.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await migrate(client);
    expect((await append(new SqlMessageStore(client), 'first'))[0]!.message.seq).toBe(1);
    await clients.pop()!.close();

    const reopened = await openPgliteClient(dataDir, undefined, image);
    clients.push(reopened);
    const store = new SqlMessageStore(reopened);
    expect((await store.page('room', { limit: 10 })).map((m) => m.seq)).toEqual([1]);
  });

  it('never replaces a database already in the folder', async () => {
    const dataDir = await keptDataDir();
    dirs.push(dataDir.path);
    const first = await openPgliteClient(dataDir.path, undefined, image);
    await migrate(first);
    await append(new SqlMessageStore(first), 'kept');
    await first.close();

    const client = await openPgliteClient(dataDir.path, undefined, image);
    clients.push(client);
    const stored = await new SqlMessageStore(client).page('room', { limit: 10 });
    expect(stored).toMatchObject([{ seq: 1, text: 'kept' }]);
  });
});
