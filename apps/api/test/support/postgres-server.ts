import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { localServerScript } from './local-server-script.js';

/**
 * `DUPLEX_SKIP_POSTGRES=1` skips the PostgreSQL tests on purpose. Without it, a machine where
 * PostgreSQL cannot be installed or started fails them, saying why: they never skip silently.
 */
export const skipPostgres = process.env.DUPLEX_SKIP_POSTGRES === '1';

/**
 * Long enough for the first start on a fresh machine, which installs Debian's postgresql with
 * apt-get; a start on a machine that has it takes a few seconds.
 */
export const POSTGRES_START_TIMEOUT_MS = 10 * 60_000;

export interface LocalPostgres {
  /** The `DATABASE_URL` of the server's `duplex` database. */
  readonly url: string;
  /** A new, empty database on this server: its `DATABASE_URL`. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: sessions are cut, committed data is kept). */
  stop(): Promise<void>;
  /** Starts the stopped server again, on the same port with the same data. */
  start(): Promise<void>;
  /** Stops the server if it runs and deletes its data. */
  remove(): Promise<void>;
}

const script = localServerScript('local-postgres.sh', 'PostgreSQL', 'DUPLEX_SKIP_POSTGRES');

/** Runs one statement on the server's `duplex` database (`serverUrl`), on a connection of its own. */
async function administer(serverUrl: string, statement: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** A new, empty database on the server of `serverUrl` (see `startLocalPostgres`): its URL. */
export async function createDatabase(serverUrl: string): Promise<string> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  await administer(serverUrl, `CREATE DATABASE ${name}`);
  const database = new URL(serverUrl);
  database.pathname = `/${name}`;
  return database.toString();
}

/** Drops a database that `createDatabase` made, cutting any session still connected to it. */
export async function dropDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^test_[0-9a-f]{32}$/.test(name)) throw new Error(`not a test database: ${databaseUrl}`);
  await administer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * A throwaway PostgreSQL server on 127.0.0.1 and a free port, its data in a new temporary folder
 * (see scripts/local-postgres.sh, which installs PostgreSQL where it is missing and it can).
 */
export async function startLocalPostgres(): Promise<LocalPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-pg-'));
  const url = await script('start', dir);
  return {
    url,
    createDatabase: () => createDatabase(url),
    stop: async () => {
      await script('stop', dir);
    },
    start: async () => {
      await script('start', dir);
    },
    remove: async () => {
      await script('remove', dir);
    },
  };
}
