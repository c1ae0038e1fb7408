import type { User } from '@duplex/protocol';
import type { AppLogger } from '../logging/logger.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { Session } from './session.js';
import type {
  SessionDirectory,
  SessionOfUser,
  SessionRecord,
  SessionRef,
} from './session-directory.js';

/**
 * How long a user's latest name is kept after its last `hello`: longer than any session lasts
 * without one (a resume needs a live session, which a `hello` started).
 */
const LATEST_NAME_TTL_S = 7 * 24 * 3600;

/** Stored at `session:<id>`. */
interface StoredSession {
  user: SessionRecord['user'];
  rooms: string[];
  instanceId: string;
  token: string;
  connected: boolean;
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

/**
 * KEYS session:<id>, resume:<token>, sessions:<instance>, user-sessions:<user>; ARGV instance id,
 * session id. Forgets the session if this instance still holds it (another may have claimed it
 * just as its grace ran out here); 1 when it did.
 */
const END = `
redis.call('SREM', KEYS[3], ARGV[2])
local stored = redis.call('GET', KEYS[1])
if stored and cjson.decode(stored).instanceId ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[4], ARGV[2])
return 1`;

/**
 * KEYS session:<id>; ARGV instance id, the new record. Rewrites the record (keeping its expiry)
 * only while this instance holds the session: one another instance has claimed meanwhile (a
 * resume there) is that instance's record. 1 when it did.
 */
const CHANGE = `
local stored = redis.call('GET', KEYS[1])
if not stored or cjson.decode(stored).instanceId ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

/**
 * ARGV key prefix, dead instance id: deletes its sessions and their tokens. Replies userId,
 * sessionId of each.
 */
const REAP = `
local list = ARGV[1] .. 'sessions:' .. ARGV[2]
local reaped = {}
for _, id in ipairs(redis.call('SMEMBERS', list)) do
  local key = ARGV[1] .. 'session:' .. id
  local stored = redis.call('GET', key)
  if stored then
    local session = cjson.decode(stored)
    redis.call('DEL', ARGV[1] .. 'resume:' .. session.token)
    redis.call('SREM', ARGV[1] .. 'user-sessions:' .. session.user.userId, id)
    redis.call('DEL', key)
    table.insert(reaped, session.user.userId)
    table.insert(reaped, id)
  end
end
redis.call('DEL', list)
return reaped`;

/**
 * KEYS user-sessions:<userId>; ARGV key prefix, room. The user's connected sessions in the
 * room, as id, name, id, name…; ids whose record expired are taken off the user's list.
 */
const CONNECTED_IN_ROOM = `
local found = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local stored = redis.call('GET', ARGV[1] .. 'session:' .. id)
  if not stored then
    redis.call('SREM', KEYS[1], id)
  else
    local session = cjson.decode(stored)
    if session.connected then
      for _, room in ipairs(session.rooms) do
        if room == ARGV[2] then
          table.insert(found, id)
          table.insert(found, session.user.name)
          break
        end
      end
    end
  end
end
return found`;

/**
 * Sessions in Redis: `session:<id>` (user, rooms, instance, token, connected), `resume:<token>`
 * → id, `sessions:<instance>`, an instance's session ids (for ending them when it dies), and
 * `user-sessions:<userId>`, a user's session ids (for ringing them), and `user-name:<userId>`,
 * the name of the user's latest `hello`. Records of a connected session do not expire; after
 * its connection closed they expire with the grace.
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
      .sAdd(this.redis.key('user-sessions', session.user.userId), session.id)
      .exec();
  }

  detached(session: Session): void {
    this.run(
      this.redis.commands
        .multi()
        .pExpire(this.redis.key('resume', session.token), this.graceMs)
        .set(this.redis.key('session', session.id), this.encode(session), { PX: this.graceMs })
        .exec(),
    );
  }

  changed(session: Session): void {
    this.run(
      this.redis.commands.eval(CHANGE, {
        keys: [this.redis.key('session', session.id)],
        arguments: [this.instanceId, this.encode(session)],
      }),
    );
  }

  async ended(session: Session): Promise<boolean> {
    const ended = await this.redis.commands.eval(END, {
      keys: [
        this.redis.key('session', session.id),
        this.redis.key('resume', session.token),
        this.redis.key('sessions', this.instanceId),
        this.redis.key('user-sessions', session.user.userId),
      ],
      arguments: [this.instanceId, session.id],
    });
    return ended === 1;
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

  async connectedInRoom(userId: string, room: string): Promise<SessionOfUser[]> {
    const reply = (await this.redis.commands.eval(CONNECTED_IN_ROOM, {
      keys: [this.redis.key('user-sessions', userId)],
      arguments: [this.redis.keyPrefix, room],
    })) as string[];
    const sessions: SessionOfUser[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      sessions.push({ sessionId: reply[i]!, user: { userId, name: reply[i + 1]! } });
    }
    return sessions;
  }

  async reap(instanceId: string): Promise<SessionRef[]> {
    const reply = (await this.redis.commands.eval(REAP, {
      arguments: [this.redis.keyPrefix, instanceId],
    })) as string[];
    const reaped: SessionRef[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      reaped.push({ userId: reply[i]!, sessionId: reply[i + 1]! });
    }
    return reaped;
  }

  async named(user: User): Promise<void> {
    await this.redis.commands.set(this.redis.key('user-name', user.userId), user.name, {
      EX: LATEST_NAME_TTL_S,
    });
  }

  latestName(userId: string): Promise<string | null> {
    return this.redis.commands.get(this.redis.key('user-name', userId));
  }

  async exists(sessionId: string): Promise<boolean> {
    return (await this.redis.commands.exists(this.redis.key('session', sessionId))) === 1;
  }

  private encode(session: Session): string {
    const stored: StoredSession = {
      user: session.user,
      rooms: [...session.rooms],
      instanceId: this.instanceId,
      token: session.token,
      connected: session.connection !== null,
    };
    return JSON.stringify(stored);
  }

  private run(command: Promise<unknown>): void {
    command.catch((error: unknown) =>
      this.logger.warn({ err: error }, 'session directory not updated'),
    );
  }
}
