/** The little of a SQL driver the message store needs, so PGlite and PostgreSQL share one store. */
export interface SqlClient {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type SqlQueryable = Pick<SqlClient, 'query'>;
