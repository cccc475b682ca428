import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations';

export type Database = BetterSqlite3.Database;

export const DATABASE = Symbol('DATABASE');
export const DATABASE_FILE = 'llamanest.db';

/**
 * Opens (creating if needed) llamanest's SQLite database in the data directory. WAL lets the CLI
 * change keys while the server reads and writes; a committed row survives a crash or SIGKILL of
 * the process (synchronous=NORMAL only risks the last commits on power loss).
 */
export function openDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

export function migrate(db: Database): void {
  // IMMEDIATE: a server and a CLI starting together must not both apply the same migration.
  db.transaction(() => {
    const applied = db.pragma('user_version', { simple: true }) as number;
    if (applied > MIGRATIONS.length) {
      throw new Error(`the database was written by a newer llamanest (schema ${applied}, this version knows ${MIGRATIONS.length})`);
    }
    for (let version = applied; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
