import { setTimeout as sleep } from 'node:timers/promises';
import { isTextMessage, type ChatMessage } from '@duplex/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { joinAs, type Member } from './support/chat-helpers.js';
import {
  POSTGRES_START_TIMEOUT_MS,
  skipPostgres,
  startLocalPostgres,
  type LocalPostgres,
} from './support/postgres-server.js';

/** How long PostgreSQL stays down. */
const OUTAGE_MS = 10_000;
/** The readiness probe must answer within about a second, also while the database is down. */
const READY_ANSWER_MS = 1_500;

describe.skipIf(skipPostgres)('PostgreSQL stopped for 10 s under a running api', () => {
  let postgres: LocalPostgres;
  let server: TestServer;

  beforeAll(async () => {
    postgres = await startLocalPostgres();
    server = await startServer({ DATABASE_URL: postgres.url });
  }, POSTGRES_START_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    await postgres?.remove();
  });

  const status = async (path: string) => {
    const started = Date.now();
    const response = await fetch(server.httpUrl(path));
    await response.arrayBuffer();
    return { status: response.status, tookMs: Date.now() - started };
  };

  /** Polls `path` until it answers `expected`; fails after `withinMs`. */
  const waitForStatus = async (path: string, expected: number, withinMs: number) => {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const { status: got } = await status(path);
      if (got === expected) return;
      if (Date.now() > deadline) throw new Error(`${path} still ${got}, not ${expected}`);
      await sleep(100);
    }
  };

  const send = (member: Member, clientId: string, text: string) =>
    member.client.request('chat.send', { room: 'outage', clientId, text }, 5_000);

  it('answers no send it cannot store, is not ready meanwhile but alive, and recovers by itself', async () => {
    const room = 'outage';
    const ann = await joinAs(server, 'Ann', room);
    const bob = await joinAs(server, 'Bob', room);
    expect(await send(ann, 'before', 'before')).toMatchObject({ event: 'ack', data: { seq: 1 } });
    await bob.client.nextWhere((f) => f.event === 'chat.message' && f.data.seq === 1);
    expect((await status('/ready')).status).toBe(200);

    await postgres.stop();
    const stoppedAt = Date.now();
    await waitForStatus('/ready', 503, 3_000);

    const failedIds = new Set<string>();
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const ready = await status('/ready');
      expect(ready.status).toBe(503);
      expect(ready.tookMs).toBeLessThan(READY_ANSWER_MS);
      expect((await status('/health')).status).toBe(200);
      // The same clientId each time, as a client retrying its outbox would.
      const reply = await send(ann, 'during', 'sent while the database was down');
      expect(reply).toMatchObject({ event: 'error', data: { code: 'internal' } });
      failedIds.add(reply.id!);
      await sleep(1_000);
    }
    expect(failedIds.size).toBeGreaterThan(3);
    // Nothing was stored: no late ack for a failed send, no chat.message to the room.
    await ann.client.expectNoneBeforePing((f) => f.event === 'ack' && failedIds.has(f.id!));
    await bob.client.expectNoneBeforePing((f) => f.event === 'chat.message');

    await postgres.start();
    await waitForStatus('/ready', 200, 10_000);
    expect((await status('/health')).status).toBe(200);

    const retried = await send(ann, 'during', 'sent while the database was down');
    expect(retried).toMatchObject({ event: 'ack', data: { seq: 2 } });
    expect(await send(ann, 'after', 'after')).toMatchObject({ event: 'ack', data: { seq: 3 } });
    for (const seq of [2, 3]) {
      await bob.client.nextMustBe(
        (f) => f.event === 'chat.message' && f.data.seq === seq,
        `chat.message ${seq}`,
      );
    }

    const stored = (await (
      await fetch(server.httpUrl(`/api/rooms/${room}/messages`))
    ).json()) as ChatMessage[];
    expect(stored.filter(isTextMessage).map((m) => [m.seq, m.clientId])).toEqual([
      [1, 'before'],
      [2, 'during'],
      [3, 'after'],
    ]);
  }, 90_000);
});
