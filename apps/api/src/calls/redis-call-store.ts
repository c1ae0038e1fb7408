import type { AppLogger } from '../logging/logger.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { Call } from './call.js';
import type { CallStore, CreateResult, StoredCall } from './call-store.js';

/** How often each instance looks for passed ring deadlines. */
const RING_POLL_MS = 100;

/**
 * KEYS call:<id>, user-call:<caller>, user-call:<callee>, ring-deadlines; ARGV call JSON,
 * callId, deadline ms.
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'callId-in-use' end
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then return 'busy' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
return 'created'`;

/** KEYS call:<id>, ring-deadlines; ARGV the JSON read, the next JSON, ringing 1|0, callId. */
const REPLACE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] == '0' then redis.call('ZREM', KEYS[2], ARGV[4]) end
return 1`;

/** KEYS call:<id>, user-call:<caller>, user-call:<callee>, ring-deadlines; ARGV JSON read, callId. */
const REMOVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if redis.call('GET', KEYS[i]) == ARGV[2] then redis.call('DEL', KEYS[i]) end
end
redis.call('ZREM', KEYS[4], ARGV[2])
return 1`;

/** KEYS ring-deadlines; ARGV now ms. Takes the passed deadlines off: each goes to one caller. */
const CLAIM_DUE = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, 100)
for _, callId in ipairs(due) do redis.call('ZREM', KEYS[1], callId) end
return due`;

/**
 * Calls in Redis: `call:<id>` (the call as JSON, which is also its version), `user-call:<userId>`
 * (the one call a user is in) and `ring-deadlines` (callId → when it stops ringing), polled by
 * every instance.
 */
export class RedisCallStore implements CallStore {
  private ringDue: (callId: string) => void = () => {};
  private readonly poller: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly logger: AppLogger,
  ) {
    this.poller = setInterval(() => void this.claimDue(), RING_POLL_MS);
  }

  async create(call: Call, ringTimeoutMs: number): Promise<CreateResult> {
    return (await this.redis.commands.eval(CREATE, {
      keys: [
        this.redis.key('call', call.callId),
        this.redis.key('user-call', call.caller.userId),
        this.redis.key('user-call', call.callee.userId),
        this.redis.key('ring-deadlines'),
      ],
      arguments: [JSON.stringify(call), call.callId, String(Date.now() + ringTimeoutMs)],
    })) as CreateResult;
  }

  async get(callId: string): Promise<StoredCall | undefined> {
    return parse(await this.redis.commands.get(this.redis.key('call', callId)));
  }

  async callOfUser(userId: string): Promise<StoredCall | undefined> {
    const callId = await this.redis.commands.get(this.redis.key('user-call', userId));
    return callId === null ? undefined : this.get(callId);
  }

  async replace(stored: StoredCall, next: Call): Promise<boolean> {
    const replaced = await this.redis.commands.eval(REPLACE, {
      keys: [this.redis.key('call', next.callId), this.redis.key('ring-deadlines')],
      arguments: [
        stored.version as string,
        JSON.stringify(next),
        next.phase.state === 'ringing' ? '1' : '0',
        next.callId,
      ],
    });
    return replaced === 1;
  }

  async remove(stored: StoredCall): Promise<boolean> {
    const { call } = stored;
    const removed = await this.redis.commands.eval(REMOVE, {
      keys: [
        this.redis.key('call', call.callId),
        this.redis.key('user-call', call.caller.userId),
        this.redis.key('user-call', call.callee.userId),
        this.redis.key('ring-deadlines'),
      ],
      arguments: [stored.version as string, call.callId],
    });
    return removed === 1;
  }

  onRingDue(handler: (callId: string) => void): void {
    this.ringDue = handler;
  }

  close(): void {
    clearInterval(this.poller);
  }

  private async claimDue(): Promise<void> {
    if (this.polling || !this.redis.commands.isReady) return;
    this.polling = true;
    try {
      const due = (await this.redis.commands.eval(CLAIM_DUE, {
        keys: [this.redis.key('ring-deadlines')],
        arguments: [String(Date.now())],
      })) as string[];
      for (const callId of due) this.ringDue(callId);
    } catch (error) {
      this.logger.warn({ err: error }, 'ring deadlines not checked');
    } finally {
      this.polling = false;
    }
  }
}

function parse(json: string | null): StoredCall | undefined {
  return json === null ? undefined : { call: JSON.parse(json) as Call, version: json };
}
