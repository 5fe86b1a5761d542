import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import * as exerciseResults from './migrations/0001-exercise-results.ts';
import type { Database } from './schema.ts';

/** Versioned migrations, in order; applied on start. Never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-exercise-results': exerciseResults,
};

export type Db = Kysely<Database>;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * The app's database: embedded SQLite in WAL mode (one file in the data folder),
 * migrated to the latest version before first use.
 */
export async function openDatabase(file: string): Promise<Db> {
  await mkdir(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL: readers never wait for the writer; NORMAL sync is durable across app crashes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new MigrationError(`database migration ${failed?.migrationName ?? ''} failed on ${file}: ${String(error)}`);
  }
  return db;
}
