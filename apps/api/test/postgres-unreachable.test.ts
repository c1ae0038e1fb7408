import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgClient, PgTimeoutError } from '../src/storage/pg-client.js';
import { isUnreachable, retryWhileUnreachable } from '../src/storage/retry-unreachable.js';
import { migrate } from '../src/storage/schema.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';
import { startServer } from './support/api-server.js';
import { joinAs } from './support/chat-helpers.js';
import {
  POSTGRES_START_TIMEOUT_MS,
  skipPostgres,
  startLocalPostgres,
  type LocalPostgres,
} from './support/postgres-server.js';
import { silentLogger } from './support/store-factories.js';

/** A logger whose warnings the test reads. */
function recordingLogger() {
  const lines: { msg: string; attempt?: number; retryInMs?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

/** A TCP server that accepts connections and never answers: a database that hangs. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgresql://duplex@127.0.0.1:${port}/duplex`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a database that cannot be reached', () => {
  it('tells unreachable from refused: socket errors and SQLSTATE 08/53/57 are worth a retry', () => {
    expect(isUnreachable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnreachable({ code: '57P03' })).toBe(true); // the database system is starting up
    expect(isUnreachable({ code: '53300' })).toBe(true); // too many connections
    expect(isUnreachable({ code: '08006' })).toBe(true); // connection failure
    expect(isUnreachable({ code: '28P01' })).toBe(false); // wrong password
    expect(isUnreachable({ code: '3D000' })).toBe(false); // no such database
    expect(isUnreachable({ code: '42601' })).toBe(false); // syntax error
  });

  it('retries with growing delays, logging each try, and gives up at the deadline', async () => {
    const { logger, lines } = recordingLogger();
    const client = openPgClient(
      `postgresql://duplex@127.0.0.1:${await closedPort()}/duplex`,
      logger,
    );
    const started = Date.now();
    try {
      await expect(
        retryWhileUnreachable(() => migrate(client), {
          deadlineMs: 1_500,
          firstDelayMs: 100,
          logger,
          what: 'start-up',
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await client.close();
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(5_000);
    const tries = lines.filter((line) => line.msg === 'start-up: database unreachable, retrying');
    expect(tries.map((line) => line.attempt)).toEqual(tries.map((_, i) => i + 1));
    // Doubling from 100 ms; the last wait is cut to the deadline.
    expect(tries.slice(0, 3).map((line) => line.retryInMs)).toEqual([100, 200, 400]);
    expect(tries.every((line) => line.retryInMs! <= 800)).toBe(true);
  });

  it('fails at once on an error that waiting will not change', async () => {
    const { logger, lines } = recordingLogger();
    let attempts = 0;
    const refused = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    await expect(
      retryWhileUnreachable(
        () => {
          attempts++;
          return Promise.reject(refused);
        },
        { deadlineMs: 10_000, logger, what: 'start-up' },
      ),
    ).rejects.toBe(refused);
    expect(attempts).toBe(1);
    expect(lines).toEqual([]);
  });

  it('answers the readiness probe with false within a second when the server hangs', async () => {
    const hanging = await silentServer();
    const client = openPgClient(hanging.url, silentLogger, { connectTimeoutMs: 5_000 });
    try {
      const started = Date.now();
      expect(await new SqlMessageStore(client).ping()).toBe(false);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await hanging.close();
      await client.close();
    }
  });

  it('fails a call once a connection takes longer than the connect timeout', async () => {
    const hanging = await silentServer();
    const client = openPgClient(hanging.url, silentLogger, { connectTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(client.query('SELECT 1')).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await hanging.close();
      await client.close();
    }
  });
});

describe.skipIf(skipPostgres)('an api started while PostgreSQL is down', () => {
  let postgres: LocalPostgres;

  beforeAll(async () => {
    postgres = await startLocalPostgres();
  }, POSTGRES_START_TIMEOUT_MS);
  afterAll(() => postgres?.remove());

  it('gives up on a transaction that overruns, rolls it back, and serves the next call', async () => {
    const client = openPgClient(await postgres.createDatabase(), silentLogger, {
      queryTimeoutMs: 500,
    });
    try {
      await client.query('CREATE TABLE notes (note text)');
      await expect(
        client.transaction(async (tx) => {
          await tx.query("INSERT INTO notes VALUES ('never committed')");
          await tx.query('SELECT pg_sleep(3)');
        }),
      ).rejects.toBeInstanceOf(PgTimeoutError);
      expect(await client.query('SELECT note FROM notes')).toEqual([]);
      expect(await client.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await client.close();
    }
  });

  it('waits for PostgreSQL, then migrates and serves', async () => {
    await postgres.stop();
    const starting = startServer({ DATABASE_URL: postgres.url });
    let started = false;
    void starting.then(() => (started = true)).catch(() => undefined);
    await sleep(1_500);
    expect(started).toBe(false);

    await postgres.start();
    const server = await starting;
    try {
      expect((await fetch(server.httpUrl('/ready'))).status).toBe(200);
      const ann = await joinAs(server, 'Ann', 'late-start');
      const reply = await ann.client.request('chat.send', {
        room: 'late-start',
        clientId: 'first',
        text: 'hello',
      });
      expect(reply).toMatchObject({ event: 'ack', data: { seq: 1 } });
    } finally {
      await server.stop();
    }
  }, 60_000);
});
