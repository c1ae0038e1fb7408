import type { Database } from 'better-sqlite3';

/**
 * The embedded SQLite store's schema as ordered migrations, the version kept in SQLite's own
 * `user_version` header field. A short runner rather than a migration library: one process owns
 * the file, a migration is a few statements, and each runs in the transaction that also bumps
 * the version. The tables mirror PostgreSQL's (schema.ts), so both stores answer alike.
 */
const MIGRATIONS: readonly string[][] = [
  [
    `CREATE TABLE chat_rooms (
       room TEXT PRIMARY KEY,
       last_seq INTEGER NOT NULL
     ) WITHOUT ROWID`,
    `CREATE TABLE chat_messages (
       room TEXT NOT NULL,
       seq INTEGER NOT NULL,
       kind TEXT NOT NULL DEFAULT 'text',
       client_id TEXT,
       user_id TEXT NOT NULL,
       user_name TEXT NOT NULL,
       body TEXT NOT NULL,
       ts TEXT NOT NULL,
       PRIMARY KEY (room, seq),
       UNIQUE (room, user_id, client_id)
     ) WITHOUT ROWID`,
  ],
];

/** The schema version this build writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to {@link SQLITE_SCHEMA_VERSION}; refuses a file from a newer build. */
export function migrateSqlite(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SQLITE_SCHEMA_VERSION) {
    throw new Error(
      `the data folder's store has schema version ${current}; this build knows up to ${SQLITE_SCHEMA_VERSION}`,
    );
  }
  MIGRATIONS.slice(current).forEach((statements, index) => {
    db.transaction(() => {
      for (const statement of statements) db.exec(statement);
      db.pragma(`user_version = ${current + index + 1}`);
    })();
  });
}
