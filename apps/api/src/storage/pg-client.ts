import { createHash } from 'node:crypto';
import { Client, Pool, type ClientConfig, type PoolClient } from 'pg';
import type { AppLogger } from '../logging/logger.js';
import type { SqlClient, SqlQueryable } from './sql-client.js';

export interface PgClientOptions {
  /** How long a new connection may take before the call fails (the server may be down). */
  connectTimeoutMs?: number;
  /**
   * How long one query or transaction may take once it has a connection; past that its
   * connection is closed (which rolls back an open transaction) and the call fails.
   */
  queryTimeoutMs?: number;
  poolSize?: number;
}

const DEFAULTS: Required<PgClientOptions> = {
  connectTimeoutMs: 2_000,
  queryTimeoutMs: 15_000,
  poolSize: 10,
};

export class PgTimeoutError extends Error {}

const statementNames = new Map<string, string>();

/**
 * A name per statement text, so that each pooled connection parses and plans a statement once
 * (node-postgres prepares a named statement on first use per connection): the append statement
 * is six CTEs, and planning it on every commit cost PostgreSQL as much as running it.
 */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `duplex_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

const rowsOf =
  (client: PoolClient) =>
  async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => {
    // Statements without parameters (schema changes, BEGIN) are not worth keeping prepared.
    const result =
      params === undefined
        ? await client.query(sql)
        : await client.query({ name: statementName(sql), text: sql, values: params });
    return result.rows as Row[];
  };

/**
 * PostgreSQL through a pool of connections. Survives the server going away: a connection that
 * breaks is dropped from the pool (its error logged, never thrown at the process), calls fail
 * fast while no connection can be made, and work again as soon as the server is back.
 * PostgreSQL commits synchronously by default, so a commit means the rows are on disk.
 */
export function openPgClient(
  connectionString: string,
  logger: AppLogger,
  options: PgClientOptions = {},
): SqlClient {
  const { connectTimeoutMs, queryTimeoutMs, poolSize } = { ...DEFAULTS, ...options };
  // The connect timeout goes on each connection, not on the pool: the pool's would also fail
  // calls that merely wait their turn for a busy connection.
  class BoundedConnectClient extends Client {
    constructor(config?: ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  const pool = new Pool({
    connectionString,
    Client: BoundedConnectClient,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on('error', (error) => {
    logger.warn({ err: error }, 'PostgreSQL: an idle connection failed and was dropped');
  });
  // A connection that breaks while checked out fails the query that runs on it; this listener
  // only keeps a break between two queries from becoming an uncaught 'error' event.
  pool.on('connect', (client) => client.on('error', () => undefined));

  /** Runs `work` on one pooled connection, closing the connection if it overruns. */
  async function withConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      client.release(new PgTimeoutError(`no answer from PostgreSQL in ${queryTimeoutMs} ms`));
    }, queryTimeoutMs);
    try {
      return await work(client);
    } catch (error) {
      if (expired) throw new PgTimeoutError(`no answer from PostgreSQL in ${queryTimeoutMs} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
      if (!expired) client.release();
    }
  }

  return {
    query: <Row>(sql: string, params?: unknown[]) =>
      withConnection((client) => rowsOf(client)<Row>(sql, params)),
    transaction: (work) =>
      withConnection(async (client) => {
        await client.query('BEGIN');
        try {
          const result = await work({ query: rowsOf(client) } satisfies SqlQueryable);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          // A broken connection cannot roll back; the server rolls back when it goes.
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: () => pool.end(),
  };
}
