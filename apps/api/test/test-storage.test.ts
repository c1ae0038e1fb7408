import { existsSync } from 'node:fs';
import { isTextMessage } from '@duplex/protocol';
import { Client } from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { engineInDataDir } from '../src/storage/embedded-engine.js';
import { startServer, type TestServer } from './support/api-server.js';
import { joinAs, nextChatMessage, say, uniqueRoom } from './support/chat-helpers.js';
import { runEngine } from './support/data-dir.js';
import { freshStorage, type TestStorage } from './support/test-storage.js';

/**
 * The run the suites were asked for: `DUPLEX_TEST_STORE=postgres` puts every api on PostgreSQL,
 * `cluster` makes it three instances on PostgreSQL and Redis.
 */
const run = process.env.DUPLEX_TEST_STORE || 'sqlite';
const onPostgres = run === 'postgres' || run === 'cluster';
const asCluster = run === 'cluster';

/** Whether the database of `databaseUrl` exists on the run's PostgreSQL server. */
async function databaseExists(databaseUrl: string): Promise<boolean> {
  const store = inject('testStore');
  if (store.kind === 'sqlite' || store.kind === 'pglite') {
    throw new Error('this run has no PostgreSQL server');
  }
  const admin = new Client({ connectionString: store.serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      new URL(databaseUrl).pathname.slice(1),
    ]);
    return rows.length === 1;
  } finally {
    await admin.end();
  }
}

let server: TestServer | undefined;
let storage: TestStorage | undefined;
afterEach(async () => {
  await server?.stop();
  await storage?.remove();
  server = storage = undefined;
});

describe(`a test api's storage (${run} run)`, () => {
  it('is PostgreSQL exactly when DUPLEX_TEST_STORE=postgres, and holds what the api stored', async () => {
    storage = await freshStorage();
    expect(storage.config.DATABASE_URL !== undefined).toBe(onPostgres);
    server = await startServer(storage.config);
    expect(server.config.databaseUrl).toBe(storage.config.DATABASE_URL);
    const room = uniqueRoom('storage');
    const ann = await joinAs(server, 'Ann', room);
    const { seq } = await say(ann, room, 'kept');
    await ann.client.close();
    await server.stop();

    const store = await storage.openStore();
    try {
      const [stored] = await store.page(room, { limit: 10 });
      expect(stored?.seq).toBe(seq);
      expect(stored && isTextMessage(stored) && stored.text).toBe('kept');
    } finally {
      await store.close();
    }
  });

  it('is fresh for each api started without storage settings, and removed when it stops', async () => {
    const room = uniqueRoom('fresh');
    server = await startServer();
    const { dataDir, databaseUrl } = server.config;
    expect(databaseUrl !== undefined).toBe(onPostgres);
    // The embedded store's files, or only the identity secret beside a database.
    expect(engineInDataDir(dataDir)).toBe(onPostgres ? undefined : runEngine());
    if (databaseUrl) expect(await databaseExists(databaseUrl)).toBe(true);
    const ann = await joinAs(server, 'Ann', room);
    await say(ann, room, 'in the first api only');
    await ann.client.close();
    await server.stop();
    expect(existsSync(dataDir)).toBe(false);
    if (databaseUrl) expect(await databaseExists(databaseUrl)).toBe(false);

    server = await startServer();
    expect(server.config.dataDir).not.toBe(dataDir);
    const bob = await joinAs(server, 'Bob', room);
    expect(bob.join.history).toEqual([]);
    await bob.client.close();
  });

  it('is three instances on one database and one Redis exactly when DUPLEX_TEST_STORE=cluster', async () => {
    server = await startServer();
    expect(server.instances).toHaveLength(asCluster ? 3 : 1);
    const { databaseUrl, redis } = server.config;
    for (const instance of server.instances) {
      expect(instance.config.databaseUrl).toBe(databaseUrl);
      expect(instance.config.redis).toEqual(redis);
    }
    expect(redis !== undefined).toBe(asCluster);
    // Clients go to each instance in turn, and still meet in one room.
    const room = uniqueRoom('spread');
    const ann = await joinAs(server, 'Ann', room);
    const bob = await joinAs(server, 'Bob', room);
    expect(ann.client.socket.url === bob.client.socket.url).toBe(!asCluster);
    const { seq } = await say(ann, room, 'across');
    const seen = await nextChatMessage(bob.client);
    expect(seen.data).toMatchObject({ seq, text: 'across' });
    await ann.client.close();
    await bob.client.close();
  });
});
