import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadSessionSecret } from './auth/secret.ts';
import { databaseTarget, openDatabase } from './db/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'unboxed-private-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const mode = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

it('creates the data folder, the session secret and the database readable by the owner only', async () => {
  const dataDir = path.join(root, 'data');
  await loadSessionSecret(undefined, dataDir);
  const db = await openDatabase(databaseTarget(undefined, dataDir));
  await db.selectFrom('users').selectAll().execute();
  // SQLite gives its write-ahead log and shared memory file the database's mode.
  expect(await mode(path.join(dataDir, 'unboxed.db-wal'))).toBe('600');
  expect(await mode(path.join(dataDir, 'unboxed.db-shm'))).toBe('600');
  await db.destroy();
  expect(await mode(dataDir)).toBe('700');
  expect(await mode(path.join(dataDir, 'session-secret'))).toBe('600');
  expect(await mode(path.join(dataDir, 'unboxed.db'))).toBe('600');
});

it('creates the database folder private when the database comes first (UNBOXED_SECRET set)', async () => {
  const dataDir = path.join(root, 'data');
  await (await openDatabase(databaseTarget(undefined, dataDir))).destroy();
  expect(await mode(dataDir)).toBe('700');
  expect(await mode(path.join(dataDir, 'unboxed.db'))).toBe('600');
});

it('narrows an existing secret and database that others could read, and leaves the folder they are in as it was', async () => {
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  await writeFile(path.join(dataDir, 'session-secret'), 'a'.repeat(64));
  await (await openDatabase(path.join(dataDir, 'unboxed.db'))).destroy();
  for (const [file, wide] of [[dataDir, 0o755], [path.join(dataDir, 'session-secret'), 0o644], [path.join(dataDir, 'unboxed.db'), 0o644]] as const) await chmod(file, wide);

  expect((await loadSessionSecret(undefined, dataDir)).toString()).toBe('a'.repeat(64));
  await (await openDatabase(databaseTarget(undefined, dataDir))).destroy();
  expect(await mode(dataDir)).toBe('755');
  expect(await mode(path.join(dataDir, 'session-secret'))).toBe('600');
  expect(await mode(path.join(dataDir, 'unboxed.db'))).toBe('600');
});
