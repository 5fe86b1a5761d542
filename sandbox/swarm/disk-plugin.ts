import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { MachineLimits } from '../driver.ts';
import { DiskPool } from '../docker/disk.ts';

/** The volume driver's name: a machine service's disk names it, and a node's engine finds it by its socket. */
export const DISK_DRIVER = 'unboxed-disk';
/** Where a node's engine looks for plugins by socket (moby pkg/plugins: fixed, whatever its exec-root). */
export const PLUGIN_SOCKET = `/run/docker/plugins/${DISK_DRIVER}.sock`;
/** @default root of the node's disk pool */
export const DISK_PLUGIN_ROOT = '/var/lib/unboxed-disks';

const CONTENT_TYPE = 'application/vnd.docker.plugins.v1.2+json';
/** A Docker volume name (moby's own rule), which is also a file name in the pool. */
const VolumeName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,200}$/, 'a volume name is letters, digits, _ . - (as Docker names volumes)')
  .refine((name) => !name.startsWith('blank-') && !name.includes('-draft-'), "names starting 'blank-' or holding '-draft-' are the pool's own");
const SizeMiB = MachineLimits.shape.diskMiB.unwrap();
const Create = z.object({ Name: VolumeName, Opts: z.object({ size: z.coerce.number().pipe(SizeMiB) }, { error: 'missing: the disk size in MiB (-o size=MiB)' }) });
const Named = z.object({ Name: VolumeName });
const Mounting = z.object({ Name: VolumeName, ID: z.string().min(1) });

export interface DiskPluginOptions {
  /** @default PLUGIN_SOCKET */
  readonly socket?: string;
  /** @default DISK_PLUGIN_ROOT */
  readonly root?: string;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * A swarm node's machine disks, as a Docker volume plugin (the legacy socket protocol,
 * docs.docker.com/engine/extend/plugins_volume): a machine service's disk names this
 * driver with its size, and the node's engine asks the plugin to make, mount, unmount and
 * remove it. Each disk is the docker driver's (DiskPool): an ext4 file system of exactly
 * that size behind a loop device, a reflink clone of an empty one of the same size, so a
 * learner's root fills their own disk and never the node's. It runs on each learner node
 * as root, beside its engine (`unboxed sandbox disk-plugin`); a service cannot do this,
 * as Swarm gives a task no devices.
 */
export async function serveDiskPlugin(options: DiskPluginOptions): Promise<Server> {
  const root = options.root ?? DISK_PLUGIN_ROOT;
  const pool = new DiskPool(root);
  await pool.ensure();
  const socket = options.socket ?? PLUGIN_SOCKET;
  /** Empty disks by size, made once each: every disk of that size is a clone. */
  const blanks = new Map<number, Promise<string>>();
  /** Containers using each mounted disk: unmounted when the last one is done. */
  const users = new Map<string, Set<string>>();
  const names = async () => (await readdir(pool.dir)).filter((f) => f.endsWith('.ext4') && !f.startsWith('blank-') && !f.includes('-draft-')).map((f) => f.slice(0, -'.ext4'.length));
  const known = async (name: string) => (await names()).includes(name);
  const mountpoint = (name: string) => path.join(root, 'mnt', name);

  const handlers: Record<string, (body: unknown) => Promise<Record<string, unknown>>> = {
    '/Plugin.Activate': async () => ({ Implements: ['VolumeDriver'] }),
    '/VolumeDriver.Capabilities': async () => ({ Capabilities: { Scope: 'local' } }),
    '/VolumeDriver.Create': async (body) => {
      const { Name, Opts } = Create.parse(body);
      if (await known(Name)) return {};
      let blank = blanks.get(Opts.size);
      if (!blank) {
        blank = pool.base(`blank-${Opts.size}`, Opts.size, async () => undefined);
        blanks.set(Opts.size, blank);
        blank.catch(() => blanks.delete(Opts.size));
      }
      await pool.clone(await blank, Name);
      options.log('disk-created', { name: Name, sizeMiB: Opts.size });
      return {};
    },
    '/VolumeDriver.Remove': async (body) => {
      // The engine asks only for a disk no container of its holds; one still in use fails to unmount.
      const { Name } = Named.parse(body);
      await pool.remove(Name);
      users.delete(Name);
      options.log('disk-removed', { name: Name });
      return {};
    },
    '/VolumeDriver.Mount': async (body) => {
      const { Name, ID } = Mounting.parse(body);
      if (!(await known(Name))) throw new NoSuchDisk(Name);
      const disk = await pool.attach(Name);
      users.set(Name, (users.get(Name) ?? new Set()).add(ID));
      return { Mountpoint: disk.mountpoint };
    },
    '/VolumeDriver.Unmount': async (body) => {
      const { Name, ID } = Mounting.parse(body);
      const using = users.get(Name);
      using?.delete(ID);
      // Detached with its last container: a node reboot or an idle machine holds no loop device.
      if (!using?.size) await pool.remove(Name, { keepFile: true });
      return {};
    },
    '/VolumeDriver.Path': async (body) => {
      const { Name } = Named.parse(body);
      return { Mountpoint: users.get(Name)?.size ? mountpoint(Name) : '' };
    },
    '/VolumeDriver.Get': async (body) => {
      const { Name } = Named.parse(body);
      if (!(await known(Name))) throw new NoSuchDisk(Name);
      return { Volume: { Name, Mountpoint: users.get(Name)?.size ? mountpoint(Name) : '', Status: {} } };
    },
    '/VolumeDriver.List': async () => ({ Volumes: (await names()).map((Name) => ({ Name, Mountpoint: users.get(Name)?.size ? mountpoint(Name) : '' })) }),
  };

  const server = createServer((request, response) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { 'Content-Type': CONTENT_TYPE });
      response.end(JSON.stringify(body));
    };
    const handler = request.method === 'POST' ? handlers[request.url ?? ''] : undefined;
    if (!handler) return reply(404, { Err: `${request.method} ${request.url}: not a volume plugin call` });
    readJson(request)
      .then(handler)
      .then(
        (body) => reply(200, { Err: '', ...body }),
        (error: unknown) => {
          const message =
            error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') : error instanceof Error ? error.message : String(error);
          // The engine asks for a disk before making it: that one is no failure.
          if (!(error instanceof NoSuchDisk)) options.log('disk-call-failed', { call: request.url, error: message });
          // Volume calls answer failures in Err: the engine shows it with the task's error.
          reply(200, { Err: `${DISK_DRIVER}: ${message}` });
        },
      );
  });
  await mkdir(path.dirname(socket), { recursive: true });
  // A socket left by a plugin that died; the engine dials the path afresh each time.
  await rm(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  await chmod(socket, 0o600);
  options.log('disk-plugin-listening', { socket, pool: pool.dir });
  return server;
}

class NoSuchDisk extends Error {
  constructor(name: string) {
    super(`no disk ${name} on this node`);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}
