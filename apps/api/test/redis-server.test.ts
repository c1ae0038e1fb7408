import { existsSync } from 'node:fs';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIS_START_TIMEOUT_MS,
  skipRedis,
  startLocalRedis,
  type LocalRedis,
} from './support/redis-server.js';

/** Connects to `url` once, without reconnecting: a server that is down fails `connect()`. */
async function connect(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 2_000 } });
  // A dropped connection is reported as an `error` event; without a listener it would throw.
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe.skipIf(skipRedis)('the throwaway local Redis server (scripts/local-redis.sh)', () => {
  let redis: LocalRedis;

  beforeAll(async () => {
    redis = await startLocalRedis();
  }, REDIS_START_TIMEOUT_MS);
  afterAll(async () => {
    await redis?.remove();
  });

  it('answers on 127.0.0.1 and a port of its own', async () => {
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = await connect(redis.url);
    try {
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
    } finally {
      await client.close();
    }
  });

  it('restartEmpty() keeps the URL and drops every key', async () => {
    const before = await connect(redis.url);
    try {
      await before.set('kept?', 'no');
    } finally {
      await before.close();
    }
    await redis.restartEmpty();
    const after = await connect(redis.url);
    try {
      expect(await after.get('kept?')).toBeNull();
      expect(await after.dbSize()).toBe(0);
    } finally {
      await after.close();
    }
  });

  it('stop() makes connections fail and start() serves the same URL again', async () => {
    await redis.stop();
    await expect(connect(redis.url)).rejects.toThrow();
    await redis.start();
    const client = await connect(redis.url);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.close();
    }
  });

  it('remove() stops the server and deletes its folder', async () => {
    expect(existsSync(redis.dir)).toBe(true);
    await redis.remove();
    expect(existsSync(redis.dir)).toBe(false);
    await expect(connect(redis.url)).rejects.toThrow();
  });
});
