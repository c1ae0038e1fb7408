// The session directory in a real Redis: a record is rewritten (a rename, a change of rooms)
// only by the instance that holds its session, so a session resumed on another instance keeps
// that instance's record.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';
import { RedisConnections } from '../src/redis/redis-connections.js';
import { RedisSessionDirectory } from '../src/session/redis-session-directory.js';
import type { Session } from '../src/session/session.js';
import type { Connection } from '../src/ws/connection.js';
import {
  REDIS_START_TIMEOUT_MS,
  skipRedis,
  startLocalRedis,
  type LocalRedis,
} from './support/redis-server.js';

const GRACE_MS = 60_000;
const logger = createLogger('silent');

describe.skipIf(skipRedis)('the session directory in Redis', () => {
  let redis: LocalRedis;
  const open: RedisConnections[] = [];

  beforeAll(async () => {
    redis = await startLocalRedis();
  }, REDIS_START_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((connections) => connections.close()));
  });
  afterAll(async () => {
    await redis?.remove();
  });

  /** Instance `instanceId`'s directory under `prefix`, with connections of its own. */
  async function directoryOf(prefix: string, instanceId: string) {
    const connections = await RedisConnections.open(redis.url, prefix, logger);
    open.push(connections);
    const directory = new RedisSessionDirectory(connections, instanceId, GRACE_MS, logger);
    // Redis answers one connection's commands in order: once this ping is answered, every
    // command the directory sent before it has run.
    const settled = () => connections.commands.ping();
    const stored = async (sessionId: string) => {
      const raw = await connections.commands.get(connections.key('session', sessionId));
      return raw === null ? null : (JSON.parse(raw) as { instanceId: string; user: unknown });
    };
    return { directory, settled, stored, connections };
  }

  function session(id: string, token: string, name: string, connected: boolean): Session {
    return {
      id,
      user: { userId: 'u-ann', name },
      token,
      connection: connected ? ({} as Connection) : null,
      rooms: new Set(['lobby']),
      graceTimer: null,
    };
  }

  /** Ann's session, recorded by `directory`, whose connection then closed. */
  async function inGracePeriod(directory: RedisSessionDirectory, id: string, token: string) {
    const held = session(id, token, 'Ann', true);
    await directory.attached(held, '');
    held.connection = null;
    directory.detached(held);
    return held;
  }

  it("an instance's change to a session that another instance has claimed leaves that one's record", async () => {
    const prefix = `test-${randomUUID()}:`;
    const first = await directoryOf(prefix, 'instance-a');
    const second = await directoryOf(prefix, 'instance-b');
    const held = await inGracePeriod(first.directory, 's-1', 'token-1');
    await first.settled();

    // Resumed on the second instance: it claims the session and records it as its own.
    const record = await second.directory.claim('token-1');
    expect(record).toMatchObject({ sessionId: 's-1', instanceId: 'instance-a' });
    await second.directory.attached(session('s-1', 'token-2', 'Ann', true), '');
    // The first instance, not yet told to let go, renames the session it still has.
    held.user = { userId: 'u-ann', name: 'Annie' };
    first.directory.changed(held);
    await first.settled();

    expect(await second.stored('s-1')).toMatchObject({
      instanceId: 'instance-b',
      user: { userId: 'u-ann', name: 'Ann' },
    });
  });

  it('rewrites the record of a session it holds, keeping the expiry of one in its grace period', async () => {
    const prefix = `test-${randomUUID()}:`;
    const only = await directoryOf(prefix, 'instance-a');
    const held = await inGracePeriod(only.directory, 's-2', 'token-3');
    held.user = { userId: 'u-ann', name: 'Annie' };
    only.directory.changed(held);
    await only.settled();

    expect(await only.stored('s-2')).toMatchObject({
      instanceId: 'instance-a',
      user: { userId: 'u-ann', name: 'Annie' },
    });
    const ttl = await only.connections.commands.pTTL(only.connections.key('session', 's-2'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(GRACE_MS);
  });
});
