import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { narrowToOwner, privateDir } from '../private-files.ts';

/**
 * The session-signing secret: `UNBOXED_SECRET` when set, otherwise one generated once
 * into the data folder (0700, the file 0600: an existing wider one is narrowed) so
 * sessions survive restarts.
 */
export async function loadSessionSecret(fromEnv: string | undefined, dataDir: string): Promise<Buffer> {
  if (fromEnv) return Buffer.from(fromEnv);
  const file = path.join(dataDir, 'session-secret');
  await privateDir(dataDir);
  try {
    // 'wx' fails if the file exists, so two starting servers never overwrite each other.
    await writeFile(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await narrowToOwner(file);
  }
  return Buffer.from((await readFile(file, 'utf8')).trim());
}
