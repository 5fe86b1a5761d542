import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseTarget, type Db } from './index.ts';

/** A fresh, migrated database for one test, and how to reopen and remove it. */
export interface TestDatabase {
  readonly target: DatabaseTarget;
  db: Db;
  /** Closes it (for another process to use it); `reopen` opens it again. */
  close(): Promise<void>;
  /** Closes it if open and opens it again (migrations run again, data stays). */
  reopen(): Promise<Db>;
  remove(): Promise<void>;
}

/**
 * The storage suite's database: a temporary SQLite file, or, when
 * UNBOXED_TEST_POSTGRES_URL is set (npm run test:postgres), a new database on that
 * PostgreSQL server, dropped afterwards.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.UNBOXED_TEST_POSTGRES_URL;
  let target: DatabaseTarget;
  let removeData: () => Promise<void>;
  if (serverUrl) {
    const name = `unboxed_test_${randomBytes(6).toString('hex')}`;
    await admin(serverUrl, `create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    target = { kind: 'postgres', url: url.toString() };
    removeData = () => admin(serverUrl, `drop database if exists ${name} with (force)`);
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'unboxed-db-'));
    target = { kind: 'sqlite', file: path.join(dir, 'unboxed.db') };
    removeData = () => rm(dir, { recursive: true, force: true });
  }
  let open = true;
  const close = async () => {
    if (open) await test.db.destroy();
    open = false;
  };
  const test: TestDatabase = {
    target,
    db: await openDatabase(target),
    close,
    async reopen() {
      await close();
      test.db = await openDatabase(target);
      open = true;
      return test.db;
    },
    async remove() {
      await close();
      await removeData();
    },
  };
  return test;
}

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
