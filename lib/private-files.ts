import { chmod, mkdir, open, stat } from 'node:fs/promises';

/**
 * The data folder holds the session secret and the database (password hashes, session
 * hashes, every result): only the server's user may read them. These create what is
 * missing with owner-only modes, and narrow what an older version (or a umask) left
 * readable by others.
 */

export class PrivateFileError extends Error {
  override readonly name = 'PrivateFileError';
}

/**
 * Creates `dir` (and missing parents) 0700. An existing folder keeps its mode: it may be
 * shared (an operator's UNBOXED_DATA_DIR=/srv), and the files in it are private anyway.
 */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Creates `file` empty and 0600 if missing, or narrows an existing one to its owner. */
export async function privateFile(file: string): Promise<void> {
  await (await open(file, 'a', 0o600)).close();
  await narrowToOwner(file);
}

/** Takes group and others' permissions away from `target`, if it exists and has any. */
export async function narrowToOwner(target: string): Promise<void> {
  const mode = await stat(target).then(
    (s) => s.mode & 0o777,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  if (mode === undefined || (mode & 0o077) === 0) return;
  try {
    await chmod(target, mode & 0o700);
  } catch (error) {
    throw new PrivateFileError(
      `${target} is readable by other users (mode ${mode.toString(8)}) and cannot be narrowed: ${(error as Error).message}. Fix: chown it to the user running unboxed, or run chmod go= ${target}`,
    );
  }
}
