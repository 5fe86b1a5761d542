import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { narrowToOwner, privateDir, privateFile } from '../private-files.ts';
import * as exerciseResults from './migrations/0001-exercise-results.ts';
import * as accounts from './migrations/0002-accounts.ts';
import * as classes from './migrations/0003-classes.ts';
import * as checkRuns from './migrations/0004-check-runs.ts';
import * as classSessions from './migrations/0005-class-sessions.ts';
import * as recordings from './migrations/0006-recordings.ts';
import * as attempts from './migrations/0007-attempts.ts';
import * as fleetState from './migrations/0008-fleet-state.ts';
import type { Database } from './schema.ts';

export { dialectOf } from './dialect.ts';

/** Versioned migrations, in order; applied on start. Never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-exercise-results': exerciseResults,
  '0002-accounts': accounts,
  '0003-classes': classes,
  '0004-check-runs': checkRuns,
  '0005-class-sessions': classSessions,
  '0006-recordings': recordings,
  '0007-attempts': attempts,
  '0008-fleet-state': fleetState,
};

export type Db = Kysely<Database>;

/** How long an SQLite write waits for another's. */
const BUSY_TIMEOUT_MS = 5000;
/** How long a server waits for another setting up and migrating the same file. */
const MIGRATION_WAIT_MS = 60_000;

/** Where the data lives: one SQLite file (the default) or a PostgreSQL server. */
export type DatabaseTarget = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * `DATABASE_URL` decides: unset means SQLite in the data folder, `postgres://` or
 * `postgresql://` means that PostgreSQL database.
 */
export function databaseTarget(databaseUrl: string | undefined, dataDir: string): DatabaseTarget {
  if (!databaseUrl) return { kind: 'sqlite', file: path.join(dataDir, 'unboxed.db') };
  let protocol: string;
  try {
    protocol = new URL(databaseUrl).protocol;
  } catch {
    throw new DatabaseConfigError('DATABASE_URL is not a URL. Fix: set it to postgres://USER:PASSWORD@HOST:PORT/DATABASE, or unset it to use SQLite in the data folder');
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:') return { kind: 'postgres', url: databaseUrl };
  throw new DatabaseConfigError(`DATABASE_URL uses '${protocol}', which unboxed does not speak. Fix: use a postgres:// URL, or unset DATABASE_URL to use SQLite in the data folder`);
}

/**
 * The app's database, migrated to the latest version before first use: embedded
 * SQLite in WAL mode (a path or a sqlite target), or PostgreSQL through a pool.
 */
export async function openDatabase(target: DatabaseTarget | string): Promise<Db> {
  const resolved: DatabaseTarget = typeof target === 'string' ? { kind: 'sqlite', file: target } : target;
  // Kysely reports every failure (an unreachable server too) in `error`, not by throwing.
  const migrate = (db: Db, disableTransactions: boolean) => new Migrator({ db, provider: { getMigrations: async () => migrations }, disableTransactions }).migrateToLatest();
  let db: Db;
  let outcome: MigrationResultSet;
  if (resolved.kind === 'sqlite') {
    const sqlite = await openSqlite(resolved.file);
    const opened = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    db = opened;
    outcome = await migrateExclusively(sqlite, () => migrate(opened, true));
  } else {
    db = openPostgres(resolved.url);
    outcome = await migrate(db, false);
  }
  const where = resolved.kind === 'sqlite' ? resolved.file : redact(resolved.url);
  const failed = outcome.results?.find((r) => r.status === 'Error');
  if (outcome.error || failed) {
    await db.destroy();
    throw new MigrationError(
      failed
        ? `database migration ${failed.migrationName} failed on ${where}: ${String(outcome.error)}`
        : `cannot open the database at ${where}: ${String(outcome.error)}. Fix: start the database, or correct DATABASE_URL`,
    );
  }
  return db;
}

/**
 * SQLite's migrations in one transaction holding the file's write lock (BEGIN
 * IMMEDIATE). Kysely's SQLite adapter takes no lock, and two servers opening a new file
 * at once both created its tables (the second failed: "table already exists"); now the
 * second waits for the first and finds nothing left to do.
 */
async function migrateExclusively(sqlite: SQLite.Database, migrate: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  try {
    // Blocks this process while another migrates: it is starting, and has nothing else to do.
    sqlite.exec('BEGIN IMMEDIATE');
    const outcome = await migrate();
    sqlite.exec(outcome.error || outcome.results?.some((r) => r.status === 'Error') ? 'ROLLBACK' : 'COMMIT');
    return outcome;
  } catch (error) {
    return { error };
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

async function openSqlite(file: string): Promise<SQLite.Database> {
  // Owner-only: SQLite gives the -wal and -shm files it creates the database's mode.
  await privateDir(path.dirname(file));
  await privateFile(file);
  for (const beside of [`${file}-wal`, `${file}-shm`]) await narrowToOwner(beside);
  const sqlite = new SQLite(file);
  // Until it is set up and migrated (migrateExclusively), a server waits for another doing
  // the same to the same file.
  sqlite.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
  // WAL: readers never wait for the writer; NORMAL sync is durable across app crashes.
  // Switching a new file fails at once, without waiting, while another connection holds a
  // lock on it (SQLite's deadlock guard): tried again.
  for (let tries = 1; ; tries++) {
    try {
      sqlite.pragma('journal_mode = WAL');
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || tries * 50 >= MIGRATION_WAIT_MS) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server ends (a restart, a failover, an operator's terminate)
  // emits 'error' on the pool; pg has already dropped it and the next query opens a new
  // one, so it must not crash the process.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The URL without its password, for messages and logs. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
