import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { rm, statfs } from 'node:fs/promises';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskPool } from '../docker/disk.ts';
import { runProcess } from '../process.ts';
import { serveDiskPlugin } from './disk-plugin.ts';

/**
 * The node disk plugin spoken to as a node's engine speaks to it (POST JSON on its unix
 * socket), with a pool of its own: the engine's side is in the swarm suite.
 */
describe('the swarm node disk plugin', () => {
  const id = randomBytes(4).toString('hex');
  const root = `/var/lib/unboxed-disk-plugin-test-${id}`;
  const socket = `/run/unboxed-disk-plugin-test-${id}.sock`;
  let server: Server;
  const call = (path: string, body: unknown = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request({ socketPath: socket, path, method: 'POST', headers: { 'Content-Type': 'application/vnd.docker.plugins.v1.2+json' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  beforeAll(async () => {
    server = await serveDiskPlugin({ root, socket, log: () => undefined });
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    const pool = new DiskPool(root);
    await pool.sweep(() => true, 0);
    await pool.detach();
    await rm(root, { recursive: true, force: true });
  });

  it('says it is a volume driver with disks local to its node', async () => {
    expect(await call('/Plugin.Activate')).toMatchObject({ Implements: ['VolumeDriver'] });
    expect(await call('/VolumeDriver.Capabilities')).toMatchObject({ Capabilities: { Scope: 'local' } });
  });

  it('refuses a disk without a size, below the smallest machine disk, or with a name that is no volume name or the pool\'s own', async () => {
    expect((await call('/VolumeDriver.Create', { Name: 'no-size' })).Err).toMatch(/Opts.*disk size in MiB/);
    expect((await call('/VolumeDriver.Create', { Name: 'too-small', Opts: { size: '100' } })).Err).toMatch(/Opts\.size.*2048/);
    expect((await call('/VolumeDriver.Create', { Name: '../escape', Opts: { size: '2048' } })).Err).toMatch(/Name: a volume name is/);
    expect((await call('/VolumeDriver.Create', { Name: 'blank-2048', Opts: { size: '2048' } })).Err).toMatch(/Name: names starting 'blank-'/);
    expect((await call('/VolumeDriver.List')).Volumes).toEqual([]);
  });

  it('makes a disk of exactly its size, mounts it for each container until the last is done, removes it', async () => {
    const name = `machine-disk-${id}`;
    expect(await call('/VolumeDriver.Create', { Name: name, Opts: { size: '2048' } })).toEqual({ Err: '' });
    // Asked again (an engine that lost its own record): the same disk, no error.
    expect(await call('/VolumeDriver.Create', { Name: name, Opts: { size: '2048' } })).toEqual({ Err: '' });
    expect((await call('/VolumeDriver.List')).Volumes).toEqual([{ Name: name, Mountpoint: '' }]);

    const mounted = await call('/VolumeDriver.Mount', { Name: name, ID: 'container-a' });
    const mountpoint = String(mounted.Mountpoint);
    expect((await runProcess('findmnt', ['-n', '-o', 'FSTYPE', mountpoint])).stdout.trim()).toBe('ext4');
    const fs = await statfs(mountpoint);
    expect((fs.blocks * fs.bsize) / 2 ** 20).toBeGreaterThan(1800);
    expect((fs.blocks * fs.bsize) / 2 ** 20).toBeLessThanOrEqual(2048);
    expect(await call('/VolumeDriver.Path', { Name: name })).toEqual({ Err: '', Mountpoint: mountpoint });

    await call('/VolumeDriver.Mount', { Name: name, ID: 'container-b' });
    await call('/VolumeDriver.Unmount', { Name: name, ID: 'container-a' });
    expect((await runProcess('mountpoint', ['-q', mountpoint])).exitCode, 'still mounted for the other container').toBe(0);
    await call('/VolumeDriver.Unmount', { Name: name, ID: 'container-b' });
    expect((await runProcess('mountpoint', ['-q', mountpoint])).exitCode, 'unmounted with its last container').not.toBe(0);

    expect(await call('/VolumeDriver.Remove', { Name: name })).toEqual({ Err: '' });
    expect((await call('/VolumeDriver.Get', { Name: name })).Err).toMatch(/no disk/);
    expect((await call('/VolumeDriver.List')).Volumes).toEqual([]);
  });
});
