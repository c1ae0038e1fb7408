import type { SqlClient } from './sql-client.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS chat_rooms (
     room text PRIMARY KEY,
     last_seq integer NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS chat_messages (
     room text NOT NULL,
     seq integer NOT NULL,
     client_id text NOT NULL,
     user_id text NOT NULL,
     user_name text NOT NULL,
     body text NOT NULL,
     ts text NOT NULL,
     PRIMARY KEY (room, seq),
     UNIQUE (room, user_id, client_id)
   )`,
];

export async function migrate(client: SqlClient): Promise<void> {
  for (const statement of SCHEMA) await client.query(statement);
}
