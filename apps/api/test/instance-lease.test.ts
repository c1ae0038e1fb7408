// The instance leases in a real Redis: who cleans up after a dead instance, and that a clean-up
// that fails part way is run again instead of leaving its sessions and presence behind.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { RedisInstanceLease } from '../src/instances/redis-instance-lease.js';
import { createLogger } from '../src/logging/logger.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { RedisConnections } from '../src/redis/redis-connections.js';
import {
  REDIS_START_TIMEOUT_MS,
  skipRedis,
  startLocalRedis,
  type LocalRedis,
} from './support/redis-server.js';

const LEASE_MS = 400;
const GRACE_MS = 1;
const logger = createLogger('silent');

describe.skipIf(skipRedis)('instance leases in Redis', () => {
  let redis: LocalRedis;
  const open: { lease: RedisInstanceLease; connections: RedisConnections }[] = [];

  beforeAll(async () => {
    redis = await startLocalRedis();
  }, REDIS_START_TIMEOUT_MS);
  afterEach(async () => {
    for (const { lease, connections } of open.splice(0)) {
      await lease.stop();
      await connections.close();
    }
  });
  afterAll(async () => {
    await redis?.remove();
  });

  /** A lease under `prefix` (not started), with its own Redis connections. */
  async function newLease(prefix: string) {
    const connections = await RedisConnections.open(redis.url, prefix, logger);
    const metrics = new MetricsService();
    const lease = new RedisInstanceLease(connections, LEASE_MS, GRACE_MS, logger, metrics);
    return { lease, connections };
  }

  /** A started lease under `prefix`, as an api instance holds one, `onDead` listening. */
  async function startLease(
    prefix: string,
    onDead: (instanceId: string) => Promise<void>,
  ): Promise<RedisInstanceLease> {
    const started = await newLease(prefix);
    open.push(started);
    started.lease.onDeadInstance(onDead);
    await started.lease.start();
    return started.lease;
  }

  /** An instance that registered, then stopped: its lease expires after GRACE_MS. */
  async function deadInstance(prefix: string): Promise<string> {
    const { lease, connections } = await newLease(prefix);
    await lease.start();
    await lease.stop();
    await connections.close();
    return lease.instanceId;
  }

  const listed = async (prefix: string) => {
    const connections = await RedisConnections.open(redis.url, prefix, logger);
    try {
      return await connections.commands.sMembers(connections.key('instances'));
    } finally {
      await connections.close();
    }
  };

  it('one of the survivors ends a dead instance, once, and takes it off the list', async () => {
    const prefix = `lease-${randomUUID()}:`;
    const ended: string[] = [];
    const dead = await deadInstance(prefix);
    const onDead = async (instanceId: string) => {
      ended.push(instanceId);
    };
    const survivors = await Promise.all([startLease(prefix, onDead), startLease(prefix, onDead)]);
    await expect.poll(() => listed(prefix), { timeout: 5_000 }).not.toContain(dead);
    // Off the list, it can be claimed no more.
    expect(ended).toEqual([dead]);
    expect(await listed(prefix)).toEqual(
      expect.arrayContaining(survivors.map((survivor) => survivor.instanceId)),
    );
  });

  it('a clean-up that fails is run again after a lease, and the instance stays listed until it succeeds', async () => {
    const prefix = `lease-${randomUUID()}:`;
    const attempts: number[] = [];
    const dead = await deadInstance(prefix);
    await startLease(prefix, async (instanceId) => {
      expect(instanceId).toBe(dead);
      attempts.push(Date.now());
      if (attempts.length === 1) throw new Error('Redis went away mid-clean-up');
    });
    await expect.poll(() => attempts.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    expect(await listed(prefix)).toContain(dead);
    await expect.poll(() => listed(prefix), { timeout: 5_000 }).not.toContain(dead);
    expect(attempts).toHaveLength(2);
    // The second run waited for the first one's claim to expire.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(LEASE_MS - 50);
  });
});
