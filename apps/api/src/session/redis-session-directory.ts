import type { AppLogger } from '../logging/logger.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { Session } from './session.js';
import type { SessionDirectory, SessionRecord } from './session-directory.js';

/** Stored at `session:<id>`. */
interface StoredSession {
  user: SessionRecord['user'];
  rooms: string[];
  instanceId: string;
  token: string;
}

/**
 * KEYS resume:<token>; ARGV key prefix. Takes the token's session off its instance's list and
 * the token off the index; replies `id` and the stored JSON, or nothing.
 */
const CLAIM = `
local id = redis.call('GET', KEYS[1])
if not id then return false end
redis.call('DEL', KEYS[1])
local stored = redis.call('GET', ARGV[1] .. 'session:' .. id)
if not stored then return false end
local owner = cjson.decode(stored).instanceId
redis.call('SREM', ARGV[1] .. 'sessions:' .. owner, id)
return {id, stored}`;

/** ARGV key prefix, dead instance id: deletes its sessions and their tokens. */
const REAP = `
local list = ARGV[1] .. 'sessions:' .. ARGV[2]
for _, id in ipairs(redis.call('SMEMBERS', list)) do
  local key = ARGV[1] .. 'session:' .. id
  local stored = redis.call('GET', key)
  if stored then
    redis.call('DEL', ARGV[1] .. 'resume:' .. cjson.decode(stored).token)
    redis.call('DEL', key)
  end
end
redis.call('DEL', list)
return 0`;

/**
 * Sessions in Redis: `session:<id>` (user, rooms, instance, token), `resume:<token>` → id, and
 * `sessions:<instance>`, an instance's session ids (for ending them when it dies). Records of
 * a connected session do not expire; after its connection closed they expire with the grace.
 */
export class RedisSessionDirectory implements SessionDirectory {
  constructor(
    private readonly redis: RedisConnections,
    private readonly instanceId: string,
    private readonly graceMs: number,
    private readonly logger: AppLogger,
  ) {}

  async attached(session: Session, previousToken: string): Promise<void> {
    const multi = this.redis.commands.multi();
    if (previousToken !== '') multi.del(this.redis.key('resume', previousToken));
    await multi
      .set(this.redis.key('resume', session.token), session.id)
      .set(this.redis.key('session', session.id), this.encode(session))
      .sAdd(this.redis.key('sessions', this.instanceId), session.id)
      .exec();
  }

  detached(session: Session): void {
    this.run(
      this.redis.commands
        .multi()
        .pExpire(this.redis.key('resume', session.token), this.graceMs)
        .pExpire(this.redis.key('session', session.id), this.graceMs)
        .exec(),
    );
  }

  roomsChanged(session: Session): void {
    this.run(
      this.redis.commands.set(this.redis.key('session', session.id), this.encode(session), {
        XX: true,
        KEEPTTL: true,
      }),
    );
  }

  ended(session: Session): void {
    this.run(
      this.redis.commands
        .multi()
        .del(this.redis.key('resume', session.token))
        .del(this.redis.key('session', session.id))
        .sRem(this.redis.key('sessions', this.instanceId), session.id)
        .exec(),
    );
  }

  async claim(token: string): Promise<SessionRecord | null> {
    const reply = (await this.redis.commands.eval(CLAIM, {
      keys: [this.redis.key('resume', token)],
      arguments: [this.redis.keyPrefix],
    })) as [string, string] | null;
    if (!reply) return null;
    const stored = JSON.parse(reply[1]) as StoredSession;
    return {
      sessionId: reply[0],
      user: stored.user,
      rooms: stored.rooms,
      instanceId: stored.instanceId,
    };
  }

  async rewrite(sessions: Iterable<Session>): Promise<void> {
    for (const session of sessions) {
      await this.attached(session, '');
      if (!session.connection) this.detached(session);
    }
  }

  async reap(instanceId: string): Promise<void> {
    await this.redis.commands.eval(REAP, { arguments: [this.redis.keyPrefix, instanceId] });
  }

  private encode(session: Session): string {
    const stored: StoredSession = {
      user: session.user,
      rooms: [...session.rooms],
      instanceId: this.instanceId,
      token: session.token,
    };
    return JSON.stringify(stored);
  }

  private run(command: Promise<unknown>): void {
    command.catch((error: unknown) =>
      this.logger.warn({ err: error }, 'session directory not updated'),
    );
  }
}
