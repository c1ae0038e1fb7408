import { randomUUID } from 'node:crypto';
import type { AppLogger } from '../logging/logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { DeadInstanceListener, InstanceLease, LeaseLostListener } from './instance-lease.js';

/** Renews the lease; 1 when it was still there, 0 when it had gone (expired or Redis emptied). */
const RENEW = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return existed`;

/**
 * Claims the clean-up of a dead instance (its lease gone, still listed) for one lease's time; 1
 * for the one caller that gets it. The instance stays listed until its clean-up is done, so a
 * clean-up that failed, or whose instance died meanwhile, is claimed again once the claim expires.
 */
const CLAIM_DEAD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return 0 end
if redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 0`;

/**
 * A dead instance's clean-up is done: its claim released, and the instance off the list unless
 * it came back meanwhile (a renewed lease). Only by the claim's holder.
 */
const FINISH_DEAD = `
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[3])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('SREM', KEYS[2], ARGV[1])`;

/**
 * Leases in Redis: `instance:<id>` expires `INSTANCE_LEASE_MS` after the last renewal, renewed
 * four times per lease; every instance looks for expired ones as often and the first to claim
 * one runs the clean-up. A `kill -9`'d instance is cleaned up after at most 1.25 leases; one that
 * stops cleanly, a quarter lease after its sessions' grace period. A clean-up that fails part
 * way (Redis unreachable, the cleaning instance killed) is run again a lease later; each step
 * of it removes what it ended, so a second run ends only what the first did not.
 */
export class RedisInstanceLease implements InstanceLease {
  readonly instanceId = randomUUID();
  private readonly deadListeners: DeadInstanceListener[] = [];
  private readonly lostListeners: LeaseLostListener[] = [];
  private timer: NodeJS.Timeout | null = null;
  private registered = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: RedisConnections,
    private readonly leaseMs: number,
    private readonly graceMs: number,
    private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
  ) {}

  onDeadInstance(listener: DeadInstanceListener): void {
    this.deadListeners.push(listener);
  }

  onLeaseLost(listener: LeaseLostListener): void {
    this.lostListeners.push(listener);
  }

  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => {
      this.tick = this.tick.then(() => this.beat());
    }, this.leaseMs / 4);
  }

  /**
   * Stops renewing, and shortens the lease to the resume grace period: the sessions of a
   * stopping instance (their sockets closed with 1001) can resume elsewhere meanwhile, and
   * those that do not are ended by the others once it is over, as on one instance.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tick;
    await this.redis.commands
      .set(this.leaseKey(this.instanceId), '1', { PX: Math.max(1, this.graceMs), XX: true })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'lease not shortened'));
  }

  private async beat(): Promise<void> {
    try {
      await this.renew();
      await this.reapExpired();
    } catch (error) {
      this.logger.warn({ err: error }, 'instance lease: Redis unreachable, retrying');
    }
  }

  private async renew(): Promise<void> {
    const existed = await this.redis.commands.eval(RENEW, {
      keys: [this.leaseKey(this.instanceId), this.redis.key('instances')],
      arguments: [String(this.leaseMs), this.instanceId],
    });
    const wasRegistered = this.registered;
    this.registered = true;
    if (existed === 0 && wasRegistered) {
      this.logger.warn('instance lease was lost: writing this instance’s state to Redis again');
      for (const listener of this.lostListeners) await listener();
    }
  }

  private async reapExpired(): Promise<void> {
    const instances = await this.redis.commands.sMembers(this.redis.key('instances'));
    for (const instanceId of instances) {
      if (instanceId === this.instanceId) continue;
      const claimed = await this.redis.commands.eval(CLAIM_DEAD, {
        keys: this.deadInstanceKeys(instanceId),
        arguments: [instanceId, this.instanceId, String(this.leaseMs)],
      });
      if (claimed !== 1) continue;
      this.logger.warn({ instanceId }, 'instance lease expired: ending its sessions');
      this.metrics.leaseReaps.inc();
      if (await this.endDeadInstance(instanceId)) {
        await this.redis.commands.eval(FINISH_DEAD, {
          keys: this.deadInstanceKeys(instanceId),
          arguments: [instanceId, this.instanceId],
        });
      }
    }
  }

  /** Runs every clean-up of `instanceId`; false when one failed (the claim then expires). */
  private async endDeadInstance(instanceId: string): Promise<boolean> {
    let done = true;
    for (const listener of this.deadListeners) {
      await listener(instanceId).catch((error: unknown) => {
        done = false;
        this.logger.error(
          { err: error, instanceId },
          'clean-up of a dead instance failed: tried again after a lease',
        );
      });
    }
    return done;
  }

  /** The keys of {@link CLAIM_DEAD} and {@link FINISH_DEAD}: lease, list and claim. */
  private deadInstanceKeys(instanceId: string): string[] {
    return [
      this.leaseKey(instanceId),
      this.redis.key('instances'),
      this.redis.key('reaping', instanceId),
    ];
  }

  private leaseKey(instanceId: string): string {
    return this.redis.key('instance', instanceId);
  }
}
