import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Accounts } from '../auth/accounts.ts';
import { openDatabase } from '../db/index.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'unboxed-cli-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function unboxed(args: string[], input = '') {
  const env = { ...process.env, UNBOXED_DATA_DIR: dataDir, DATABASE_URL: '' };
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/unboxed.ts', ...args], { input, env, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

it('unboxed admin create makes the first admin from a piped password; role changes an account', async () => {
  expect(unboxed(['admin', 'create', '--email', 'Root@Example.org', '--name', 'Root'], 'a strong password 1\n')).toMatchObject({
    code: 0,
    out: 'created admin root@example.org; sign in at /signin\n',
  });
  expect(unboxed(['admin', 'create', '--email', 'root@example.org'], 'a strong password 1\n')).toMatchObject({
    code: 1,
    err: 'error: an account with the email root@example.org already exists. Fix: unboxed admin role --email root@example.org --role admin\n',
  });
  expect(unboxed(['admin', 'create', '--email', 'x@example.org'], 'short\n').err).toBe('error: password: must be at least 10 characters\n');
  expect(unboxed(['admin', 'role', '--email', 'root@example.org', '--role', 'boss']).code).toBe(2);

  const db = await openDatabase(path.join(dataDir, 'unboxed.db'));
  try {
    const root = await new Accounts(db).authenticate('root@example.org', 'a strong password 1');
    expect(root).toMatchObject({ name: 'Root', role: 'admin' });
    expect(await new Accounts(db).byEmail('x@example.org')).toBeUndefined();
  } finally {
    await db.destroy();
  }
});
