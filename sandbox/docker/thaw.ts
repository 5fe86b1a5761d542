import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Thaws every frozen cgroup under a machine's own cgroup. A learner who runs `docker
 * pause` inside the machine freezes a nested cgroup; frozen tasks ignore SIGKILL, so the
 * engine could never remove the machine. Only for an engine on this host (its cgroup
 * tree is ours to read); v1 `freezer.state` and v2 `cgroup.freeze` alike.
 */
export async function thawMachineCgroups(containerId: string): Promise<void> {
  if (process.env.DOCKER_HOST) return;
  const roots = ['/sys/fs/cgroup/freezer/docker', '/sys/fs/cgroup/system.slice', '/sys/fs/cgroup/docker'];
  for (const root of roots) {
    for (const name of [containerId, `docker-${containerId}.scope`]) await thaw(path.join(root, name));
  }
}

async function thaw(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return;
  const v1 = path.join(dir, 'freezer.state');
  if ((await readFile(v1, 'utf8').catch(() => '')).trim() === 'FROZEN') await writeFile(v1, 'THAWED').catch(() => undefined);
  const v2 = path.join(dir, 'cgroup.freeze');
  if ((await readFile(v2, 'utf8').catch(() => '')).trim() === '1') await writeFile(v2, '0').catch(() => undefined);
  for (const entry of entries) if (entry.isDirectory()) await thaw(path.join(dir, entry.name));
}
