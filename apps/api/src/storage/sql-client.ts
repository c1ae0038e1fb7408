/** The little of a SQL driver the message store needs, so PGlite and PostgreSQL share one store. */
export interface SqlClient {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}
