import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localServerScript } from './local-server-script.js';

/**
 * `DUPLEX_SKIP_REDIS=1` skips the Redis tests on purpose. Without it, a machine where Redis
 * cannot be installed or started fails them, saying why: they never skip silently.
 */
export const skipRedis = process.env.DUPLEX_SKIP_REDIS === '1';

/**
 * Long enough for the first start on a fresh machine, which installs Debian's redis-server with
 * apt-get; a start on a machine that has it takes well under a second.
 */
export const REDIS_START_TIMEOUT_MS = 10 * 60_000;

export interface LocalRedis {
  /** The `REDIS_URL` of the server: `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** The server's folder (its port, pidfile and log), deleted by `remove`. */
  readonly dir: string;
  /** Stops the server (persistence is off: nothing is kept). */
  stop(): Promise<void>;
  /** Starts the stopped server again, on the same port (and empty). */
  start(): Promise<void>;
  /** Stops the server, then starts it again on the same port: Redis restarted empty. */
  restartEmpty(): Promise<void>;
  /** Stops the server if it runs and deletes its folder. */
  remove(): Promise<void>;
}

const script = localServerScript('local-redis.sh', 'Redis', 'DUPLEX_SKIP_REDIS');

/**
 * A throwaway Redis server on 127.0.0.1 and a free port, its files in a new temporary folder
 * (see scripts/local-redis.sh, which installs Redis where it is missing and it can).
 */
export async function startLocalRedis(): Promise<LocalRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-redis-'));
  const url = await script('start', dir);
  return {
    url,
    dir,
    stop: async () => {
      await script('stop', dir);
    },
    start: async () => {
      await script('start', dir);
    },
    restartEmpty: async () => {
      await script('stop', dir);
      await script('start', dir);
    },
    remove: async () => {
      await script('remove', dir);
    },
  };
}
