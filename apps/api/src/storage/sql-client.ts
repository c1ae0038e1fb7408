/** A query runner: a connection, or a transaction on one. */
export interface SqlQueryable {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

/** The little of a SQL driver the message store needs, so PGlite and PostgreSQL share one store. */
export interface SqlClient extends SqlQueryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
