import type { MembersPage, User } from '@duplex/protocol';
import type { Broker } from '../broker/broker.js';
import type { AppLogger } from '../logging/logger.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { PresenceListener, PresenceStore } from './presence-store.js';
import { HOLD, PAGE, RECENT, REAP, RELEASE } from './redis-presence-scripts.js';

type Reply = (string | number)[];

/** Presence shared by every instance, in Redis (see redis-presence-scripts.ts for the keys). */
export class RedisPresence implements PresenceStore {
  constructor(
    private readonly redis: RedisConnections,
    private readonly instanceId: string,
    private readonly broker: Broker,
    private readonly logger: AppLogger,
  ) {}

  hold(room: string, user: User): Promise<void> {
    return this.change(HOLD, room, user);
  }

  release(room: string, user: User): Promise<void> {
    return this.change(RELEASE, room, user);
  }

  /** The scripts publish the changes on the room's channel; the broker hands them on. */
  onChange(listener: PresenceListener): void {
    this.broker.onPresenceChange(listener);
  }

  touch(room: string, userId: string): void {
    this.redis.commands
      .zAdd(this.redis.key('active', room), { score: Date.now(), value: userId }, { XX: true })
      .catch((error: unknown) => this.logger.warn({ err: error, room }, 'activity not recorded'));
  }

  async online(room: string): Promise<number> {
    return await this.redis.commands.hLen(this.redis.key('members', room));
  }

  async recentUsers(room: string, first: User, limit: number): Promise<User[]> {
    const reply = (await this.redis.commands.eval(RECENT, {
      keys: [this.redis.key('active', room), this.redis.key('names', room)],
      arguments: [String(limit)],
    })) as Reply;
    const users = [first];
    for (const user of pairs(reply, 0)) {
      if (users.length >= limit) break;
      if (user.userId !== first.userId) users.push(user);
    }
    return users;
  }

  async membersPage(room: string, after: string | undefined, limit: number): Promise<MembersPage> {
    const reply = (await this.redis.commands.eval(PAGE, {
      keys: [
        this.redis.key('by-id', room),
        this.redis.key('names', room),
        this.redis.key('members', room),
      ],
      arguments: [after ?? '', String(limit)],
    })) as Reply;
    return { online: Number(reply[0]), members: [...pairs(reply, 1)] };
  }

  async occupancy(): Promise<Map<string, number>> {
    const counts = await this.redis.commands.hGetAll(this.redis.key('online'));
    return new Map(Object.entries(counts).map(([room, online]) => [room, Number(online)]));
  }

  async reap(instanceId: string): Promise<void> {
    await this.redis.commands.eval(REAP, { arguments: [this.redis.keyPrefix, instanceId] });
  }

  private async change(script: string, room: string, user: User): Promise<void> {
    await this.redis.commands.eval(script, {
      keys: [
        this.redis.key('holds', this.instanceId, room),
        this.redis.key('held-rooms', this.instanceId),
        this.redis.key('members', room),
        this.redis.key('names', room),
        this.redis.key('by-id', room),
        this.redis.key('active', room),
        this.redis.key('online'),
        this.redis.key('room', room),
      ],
      arguments: [room, user.userId, user.name, String(Date.now())],
    });
  }
}

function* pairs(reply: Reply, from: number): Generator<User> {
  for (let i = from; i + 1 < reply.length; i += 2) {
    yield { userId: String(reply[i]), name: String(reply[i + 1]) };
  }
}
