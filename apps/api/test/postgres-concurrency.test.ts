import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewMessage, StoredMessage } from '../src/storage/message-store.js';
import { openPgClient } from '../src/storage/pg-client.js';
import { migrate, MIGRATIONS } from '../src/storage/schema.js';
import type { SqlClient } from '../src/storage/sql-client.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';
import {
  POSTGRES_START_TIMEOUT_MS,
  skipPostgres,
  startLocalPostgres,
  type LocalPostgres,
} from './support/postgres-server.js';
import { silentLogger } from './support/store-factories.js';

/** Several api instances share one database: each has a pool of its own. */
const INSTANCES = 3;
const SENDS_PER_INSTANCE = 200;

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.skipIf(skipPostgres)('PostgreSQL with several instances writing at once', () => {
  let server: LocalPostgres;
  let clients: SqlClient[] = [];
  let stores: SqlMessageStore[] = [];

  beforeAll(async () => {
    server = await startLocalPostgres();
    const url = await server.createDatabase();
    clients = range(1, INSTANCES).map(() => openPgClient(url, silentLogger));
    // Instances starting together migrate together; the advisory lock lets one at a time.
    await Promise.all(clients.map((client) => migrate(client)));
    stores = clients.map((client) => new SqlMessageStore(client));
  }, POSTGRES_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const client of clients) await client.close();
    await server?.remove();
  });

  it('migrates once when every instance starts at the same time', async () => {
    const rows = await clients[0]!.query<{ version: number }>(
      'SELECT version FROM duplex_schema_migrations ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it(`keeps seq unique and gap-free: ${INSTANCES} instances × ${SENDS_PER_INSTANCE} concurrent sends to one room`, async () => {
    const room = 'hot';
    const send = (instance: number, i: number): NewMessage => ({
      room,
      clientId: `i${instance}-${i}`,
      from: { userId: `u-${instance}`, name: `User ${instance}` },
      text: `message ${i} from instance ${instance}`,
      ts: new Date().toISOString(),
    });
    const results = await Promise.all(
      stores.flatMap((store, instance) =>
        range(1, SENDS_PER_INSTANCE).map((i) => store.appendBatch(room, [send(instance, i)])),
      ),
    );
    const total = INSTANCES * SENDS_PER_INSTANCE;
    const acked = results.map(([stored]) => stored!);
    expect(acked.every((stored) => !stored.duplicate)).toBe(true);
    expect(acked.map((stored) => stored.message.seq).sort((a, b) => a - b)).toEqual(
      range(1, total),
    );

    const page = await stores[0]!.page(room, { after: 0, limit: total + 10 });
    expect(page.map((m) => m.seq)).toEqual(range(1, total));
    const bySeq = new Map(acked.map((stored) => [stored.message.seq, stored.message]));
    for (const stored of page) expect(stored).toEqual(bySeq.get(stored.seq));
    expect(await stores[1]!.rooms()).toContainEqual({ room, lastSeq: total });
  });

  it('stores a (user, room, clientId) retried on every instance at once exactly once', async () => {
    const room = 'retried';
    const identities = range(1, 100).map((i) => `c-${i}`);
    const attempt = (store: SqlMessageStore, clientId: string, instance: number) =>
      store.appendBatch(room, [
        {
          room,
          clientId,
          from: { userId: 'u-ann', name: 'Ann' },
          text: `${clientId} as sent to instance ${instance}`,
          ts: new Date().toISOString(),
        },
      ]);
    const results: StoredMessage[][] = await Promise.all(
      identities.map((clientId) =>
        Promise.all(stores.map((store, instance) => attempt(store, clientId, instance))).then(
          (replies) => replies.map(([stored]) => stored!),
        ),
      ),
    );
    for (const replies of results) {
      // One instance stored it; the others answer with that first message.
      expect(replies.filter((stored) => !stored.duplicate)).toHaveLength(1);
      const first = replies.find((stored) => !stored.duplicate)!.message;
      for (const stored of replies) expect(stored.message).toEqual(first);
    }
    const page = await stores[2]!.page(room, { after: 0, limit: 500 });
    expect(page.map((m) => m.seq)).toEqual(range(1, identities.length));
    expect(page.map((m) => (m as { clientId: string }).clientId).sort()).toEqual(
      [...identities].sort(),
    );
  });

  it('mixes call records into the same order without gaps', async () => {
    const room = 'mixed';
    const caller = { userId: 'u-ann', name: 'Ann' };
    const callee = { userId: 'u-bob', name: 'Bob' };
    const writes = stores.flatMap((store, instance) =>
      range(1, 30).map((i) =>
        i % 3 === 0
          ? store
              .appendCall(
                room,
                {
                  callId: `call-${instance}-${i}`,
                  caller,
                  callee,
                  video: false,
                  outcome: 'missed',
                  startedAt: '2026-01-01T10:00:00.000Z',
                  endedAt: '2026-01-01T10:00:30.000Z',
                },
                '2026-01-01T10:00:30.000Z',
              )
              .then((message) => message.seq)
          : store
              .appendBatch(room, [
                {
                  room,
                  clientId: `i${instance}-${i}`,
                  from: caller,
                  text: 'hi',
                  ts: new Date().toISOString(),
                },
              ])
              .then(([stored]) => stored!.message.seq),
      ),
    );
    const seqs = (await Promise.all(writes)).sort((a, b) => a - b);
    expect(seqs).toEqual(range(1, writes.length));
    const page = await stores[0]!.page(room, { after: 0, limit: 200 });
    expect(page.filter((m) => m.kind === 'call')).toHaveLength(INSTANCES * 10);
  });
});
