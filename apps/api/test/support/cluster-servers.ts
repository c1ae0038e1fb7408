import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import type { ConfigInput } from '../../src/config/config.js';
import { startServer, type TestInstance, type TestServer } from './api-server.js';
import {
  dropDatabase,
  POSTGRES_START_TIMEOUT_MS,
  startLocalPostgres,
  type LocalPostgres,
} from './postgres-server.js';
import { RawClient } from './raw-client.js';
import { REDIS_START_TIMEOUT_MS, startLocalRedis, type LocalRedis } from './redis-server.js';
import { scratchDir } from './test-storage.js';

/** The PostgreSQL and Redis servers a test file runs its clusters on. */
export interface ClusterBackends {
  readonly postgres: LocalPostgres;
  readonly redis: LocalRedis;
}

/**
 * One PostgreSQL and one Redis server for a test file: started before its tests, removed after
 * them. Each cluster a test starts on them gets a database and a Redis key prefix of its own.
 */
export function useClusterBackends(): () => ClusterBackends {
  let postgres: LocalPostgres | undefined;
  let redis: LocalRedis | undefined;
  beforeAll(
    async () => {
      const [pg, rd] = await Promise.allSettled([startLocalPostgres(), startLocalRedis()]);
      if (pg.status === 'fulfilled') postgres = pg.value;
      if (rd.status === 'fulfilled') redis = rd.value;
      if (pg.status === 'rejected') throw pg.reason;
      if (rd.status === 'rejected') throw rd.reason;
    },
    Math.max(POSTGRES_START_TIMEOUT_MS, REDIS_START_TIMEOUT_MS),
  );
  afterAll(async () => {
    await Promise.all([postgres?.remove(), redis?.remove()]);
  });
  return () => {
    if (!postgres || !redis) throw new Error('PostgreSQL and Redis have not started');
    return { postgres, redis };
  };
}

/**
 * Three api instances (see `startServer`) on a fresh database and a fresh Redis key prefix of
 * `backends`, with the sockets a test opens on each instance by number. `stop` closes the
 * sockets, the instances still running and deletes the database and data directory.
 */
export class Cluster {
  private readonly clients: RawClient[] = [];
  private readonly closing = new Map<number, Promise<void>>();
  private stopped: Promise<void> | undefined;

  private constructor(
    readonly server: TestServer,
    /** The prefix of every Redis key and channel of this cluster. */
    readonly redisKeyPrefix: string,
    private readonly cleanUp: () => Promise<void>,
  ) {}

  static async start(backends: ClusterBackends, overrides: ConfigInput = {}): Promise<Cluster> {
    const databaseUrl = await backends.postgres.createDatabase();
    const dataDir = await scratchDir();
    const cleanUp = async () => {
      await dropDatabase(backends.postgres.url, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    };
    // Keys of its own: nothing another cluster left in this Redis is seen.
    const redisKeyPrefix = `test-${randomUUID()}:`;
    try {
      const server = await startServer({
        ...overrides,
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        REDIS_URL: backends.redis.url,
        REDIS_KEY_PREFIX: redisKeyPrefix,
      });
      return new Cluster(server, redisKeyPrefix, cleanUp);
    } catch (error) {
      await cleanUp();
      throw error;
    }
  }

  get instances(): readonly TestInstance[] {
    return this.server.instances;
  }

  instance(index: number): TestInstance {
    const instance = this.server.instances[index];
    if (!instance) throw new Error(`the cluster has no instance ${index}`);
    return instance;
  }

  /** A socket to `/ws` of instance `index`, closed by `stop`. */
  async connect(index: number): Promise<RawClient> {
    const client = await RawClient.connect(this.instance(index).wsUrl('/ws'));
    this.clients.push(client);
    return client;
  }

  /** `GET` of `path` on instance `index`, answered 200; its JSON body. */
  async getJson<T>(index: number, path: string): Promise<T> {
    const response = await fetch(this.instance(index).httpUrl(path));
    if (response.status !== 200) {
      throw new Error(`GET ${path} on instance ${index}: HTTP ${response.status}`);
    }
    return (await response.json()) as T;
  }

  /** Stops instance `index` as a deploy would (`app.close()`: its clients are closed with 1001). */
  stopInstance(index: number): Promise<void> {
    let closing = this.closing.get(index);
    if (!closing) {
      closing = this.instance(index).app.close();
      this.closing.set(index, closing);
    }
    return closing;
  }

  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      await Promise.all(this.clients.splice(0).map((client) => client.close()));
      await Promise.all(this.server.instances.map((_, index) => this.stopInstance(index)));
      await this.cleanUp();
    })());
  }
}
