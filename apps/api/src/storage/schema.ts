import type { SqlClient } from './sql-client.js';

/**
 * The schema as an ordered list of migrations; each runs once, in its own transaction, and is
 * recorded in `duplex_schema_migrations`. A short runner of our own rather than a migration
 * library: the same SQL must run on PGlite (no server, no CLI) and PostgreSQL, and the whole
 * history is a handful of statements.
 */
export const MIGRATIONS: readonly { version: number; name: string; statements: string[] }[] = [
  {
    version: 1,
    name: 'chat rooms and messages',
    statements: [
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
    ],
  },
  {
    version: 2,
    name: 'message kinds: call records stored in the room',
    statements: [
      `ALTER TABLE chat_messages ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'text'`,
      `ALTER TABLE chat_messages ALTER COLUMN client_id DROP NOT NULL`,
    ],
  },
];

const LEDGER = `CREATE TABLE IF NOT EXISTS duplex_schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** One migrator at a time across instances; held until the transaction ends. */
const MIGRATION_LOCK = 'SELECT pg_advisory_xact_lock(4242001)';

/** Brings the schema to the newest version; safe to run from several instances at once. */
export async function migrate(client: SqlClient): Promise<void> {
  // Under the lock too: two concurrent `CREATE TABLE IF NOT EXISTS` can both try to create it.
  await client.transaction(async (tx) => {
    await tx.query(MIGRATION_LOCK);
    await tx.query(LEDGER);
  });
  for (const migration of MIGRATIONS) {
    await client.transaction(async (tx) => {
      await tx.query(MIGRATION_LOCK);
      const done = await tx.query('SELECT 1 FROM duplex_schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (done.length > 0) return;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO duplex_schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    });
  }
}
