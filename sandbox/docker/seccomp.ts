import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Debian ships Docker's default profile with the engine's source (golang-github-docker-docker-dev). */
export const DEFAULT_PROFILE = '/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json';

/** What the machine's nested runc needs beyond Docker's default: session keyrings and pivot_root. */
export const NESTED_RUNC_SYSCALLS = ['keyctl', 'add_key', 'request_key', 'pivot_root'] as const;

const Profile = z.looseObject({ defaultAction: z.string(), syscalls: z.array(z.looseObject({ action: z.string() })) });

/** Docker's default profile plus one rule allowing the nested runtime's syscalls. */
export function machineProfile(defaultProfile: unknown): z.infer<typeof Profile> {
  const profile = Profile.parse(defaultProfile);
  return { ...profile, syscalls: [...profile.syscalls, { names: [...NESTED_RUNC_SYSCALLS], action: 'SCMP_ACT_ALLOW' }] };
}

/** Writes the machine profile into `cacheDir` (named by its content) and returns its path. */
export async function writeMachineProfile(cacheDir: string, source = DEFAULT_PROFILE): Promise<string> {
  const text = JSON.stringify(machineProfile(JSON.parse(await readFile(source, 'utf8'))));
  const file = path.join(cacheDir, `seccomp-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.json`);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, text);
  return file;
}
