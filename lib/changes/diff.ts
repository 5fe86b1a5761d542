import type { CgroupItem, ChangeSet, ContainerItem, FileItem, InterfaceItem, MountItem, NamespaceItem, ProcessItem } from './schema.ts';

/**
 * Turns what lib/changes/snapshot.sh printed (records that differ, "-" before and "+"
 * now, then context records of the state now) into a ChangeSet: records of one key on
 * both sides become one "changed" item, a created folder stands for everything created
 * under it, container ids get their names, and each kind keeps at most `limit` items.
 */

type Side = '-' | '+';
interface Row {
  readonly side: Side;
  readonly fields: readonly string[];
}

/** Key fields per record type: what stays the same when the record "changes". */
const KEY_FIELDS: Record<string, number> = { F: 1, P: 2, M: 3, C: 2, L: 3, N: 1, I: 1, D: 1, A: 1 };

const FILE_TYPES: Record<string, string> = { f: 'file', d: 'folder', l: 'link', s: 'socket', p: 'fifo', b: 'block device', c: 'character device' };

export const DEFAULT_ITEM_LIMIT = 40;
const SAMPLE = 20;

export interface MachineDiff {
  readonly baseline: boolean;
  readonly changes: ChangeSet;
}

export function parseSnapshotOutput(stdout: string, limit = DEFAULT_ITEM_LIMIT): MachineDiff {
  const lines = stdout.split('\n').filter((l) => l !== '');
  if (lines[0] === 'baseline') return { baseline: true, changes: emptyChangeSet() };

  const rows = new Map<string, Row[]>();
  const processes = new Map<string, { ppid: string; command: string }>();
  const members = new Map<string, string[]>();
  const names = new Map<string, string>();
  const aliases = new Map<string, string>();
  let truncated = 0;
  for (const line of lines) {
    const fields = line.split('\t');
    const head = fields[0]!;
    if (head === 'truncated') {
      truncated = Number(fields[1]) || 0;
      continue;
    }
    if (head === 'T') processes.set(fields[1]!, { ppid: fields[2] ?? '', command: fields[3] ?? '' });
    else if (head === 'K') members.set(fields[1]!, (fields[2] ?? '').split(' ').filter(Boolean));
    else if (head === 'D') names.set(fields[1]!, fields[2] ?? '');
    else if (head === 'A') aliases.set(fields[1]!, fields[2] ?? '');
    else if ((head.startsWith('-') || head.startsWith('+')) && head.length === 2 && head[1]! in KEY_FIELDS) {
      const type = head[1]!;
      const side = head[0] as Side;
      const list = rows.get(type) ?? [];
      list.push({ side, fields: fields.slice(1) });
      rows.set(type, list);
      // A removed container is named by its own records.
      if (type === 'D' && side === '-' && !names.has(fields[1]!)) names.set(fields[1]!, fields[2] ?? '');
      if (type === 'A' && side === '-' && !aliases.has(fields[1]!)) aliases.set(fields[1]!, fields[2] ?? '');
    }
  }

  const containerOf = (text: string): string | undefined => {
    // Container ids and their aliases: 64 hex digits, or 12 for a network namespace handle.
    for (const match of text.matchAll(/[0-9a-f]{12,64}/g)) {
      const name = names.get(match[0]) ?? names.get(aliases.get(match[0]) ?? '');
      if (name) return name;
    }
    return undefined;
  };
  const bound = <T>(items: T[]) => ({ items: items.slice(0, limit), more: Math.max(0, items.length - limit) });

  const changes: ChangeSet = {
    containers: bound(containerItems(pair(rows.get('D') ?? [], KEY_FIELDS.D!))),
    files: bound(fileItems(pair(rows.get('F') ?? [], KEY_FIELDS.F!), containerOf)),
    processes: bound(processItems(pair(rows.get('P') ?? [], KEY_FIELDS.P!), processes, containerOf)),
    mounts: bound(mountItems(pair(rows.get('M') ?? [], KEY_FIELDS.M!), containerOf)),
    cgroups: bound(cgroupItems(pair(rows.get('C') ?? [], KEY_FIELDS.C!), pair(rows.get('L') ?? [], KEY_FIELDS.L!), containerOf)),
    namespaces: bound(namespaceItems(pair(rows.get('N') ?? [], KEY_FIELDS.N!), members, processes)),
    interfaces: bound(interfaceItems(pair(rows.get('I') ?? [], KEY_FIELDS.I!))),
    truncated,
  };
  return { baseline: false, changes };
}

export function emptyChangeSet(): ChangeSet {
  const none = { items: [], more: 0 };
  return { containers: none, files: none, processes: none, mounts: none, cgroups: none, namespaces: none, interfaces: none, truncated: 0 };
}

interface Paired {
  readonly key: string;
  readonly before?: readonly string[];
  readonly now?: readonly string[];
}

/** Records of one key on both sides are one change; in the order the machine printed them. */
function pair(rows: readonly Row[], keyFields: number): Paired[] {
  const byKey = new Map<string, { before?: readonly string[]; now?: readonly string[] }>();
  for (const row of rows) {
    const key = row.fields.slice(0, keyFields).join('\t');
    const entry = byKey.get(key) ?? {};
    if (row.side === '-') entry.before = row.fields;
    else entry.now = row.fields;
    byKey.set(key, entry);
  }
  return [...byKey].map(([key, entry]) => ({ key, ...entry }));
}

const changeOf = (p: Paired) => (p.before && p.now ? 'changed' : p.now ? 'created' : 'removed');

function containerItems(paired: readonly Paired[]): ContainerItem[] {
  return paired.map((p) => {
    const fields = (p.now ?? p.before)!;
    const item: ContainerItem = { change: changeOf(p), id: fields[0]!, name: fields[1] ?? '' };
    return p.before && p.now ? { ...item, before: p.before[1] ?? '' } : item;
  });
}

function fileItems(paired: readonly Paired[], containerOf: (text: string) => string | undefined): FileItem[] {
  // A created (or removed) folder collects what was created (or removed) under it.
  const folders = new Map<string, FileItem>();
  const items: FileItem[] = [];
  const sorted = [...paired].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const p of sorted) {
    const change = changeOf(p);
    const fields = (p.now ?? p.before)!;
    const path = fields[0]!;
    if (change !== 'changed') {
      const holder = enclosingFolder(folders, path, change);
      if (holder) {
        holder.entries += 1;
        if (holder.sample.length < SAMPLE) holder.sample.push(path.slice(holder.path.length + 1));
        continue;
      }
    }
    const item: FileItem = { change, path, type: FILE_TYPES[fields[1]!] ?? fields[1]!, details: change === 'changed' ? fileDetails(p.before!, p.now!) : [], entries: 0, sample: [], container: containerOf(path) };
    if (change !== 'changed' && fields[1] === 'd') folders.set(`${change} ${path}`, item);
    items.push(item);
  }
  return items;
}

function enclosingFolder(folders: Map<string, FileItem>, path: string, change: string): FileItem | undefined {
  for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    const folder = folders.get(`${change} ${path.slice(0, cut)}`);
    if (folder) return folder;
  }
  return undefined;
}

function fileDetails(before: readonly string[], now: readonly string[]): string[] {
  const [, type0, mode0, size0, mtime0, link0] = before;
  const [, type1, mode1, size1, mtime1, link1] = now;
  const details: string[] = [];
  if (type0 !== type1) details.push(`${FILE_TYPES[type0!] ?? type0} → ${FILE_TYPES[type1!] ?? type1}`);
  if (mode0 !== mode1) details.push(`mode ${mode0} → ${mode1}`);
  if (size0 !== size1) details.push(`size ${size0 || 0} → ${size1 || 0}`);
  if (link0 !== link1) details.push(`link ${link0 || '(none)'} → ${link1 || '(none)'}`);
  if (details.length === 0 && mtime0 !== mtime1) details.push('modified');
  return details;
}

function processItems(paired: readonly Paired[], table: Map<string, { ppid: string; command: string }>, containerOf: (text: string) => string | undefined): ProcessItem[] {
  const parents = (ppid: string): string[] => {
    const chain: string[] = [];
    for (let p = ppid, hops = 0; p && p !== '0' && hops < 32; hops++) {
      const entry = table.get(p);
      if (!entry) break;
      chain.unshift(entry.command);
      p = entry.ppid;
    }
    return chain;
  };
  return paired.map((p) => {
    const [pid, , ppid, command, commandLine] = (p.now ?? p.before)!;
    const item: ProcessItem = {
      change: changeOf(p),
      pid: Number(pid),
      command: command ?? '',
      commandLine: commandLine || `[${command}]`,
      parents: parents(ppid ?? ''),
      container: containerOf(commandLine ?? ''),
    };
    return p.before && p.now ? { ...item, before: p.before[4] || p.before[3] } : item;
  });
}

function mountItems(paired: readonly Paired[], containerOf: (text: string) => string | undefined): MountItem[] {
  return paired.map((p) => {
    const [mountPoint, fsType, source, options] = (p.now ?? p.before)!;
    return { change: changeOf(p), mountPoint: mountPoint!, fsType: fsType ?? '', source: source ?? '', options: options ?? '', container: containerOf(mountPoint!) ?? containerOf(options ?? '') };
  });
}

function cgroupItems(folders: readonly Paired[], limits: readonly Paired[], containerOf: (text: string) => string | undefined): CgroupItem[] {
  const byPath = new Map<string, CgroupItem>();
  for (const p of folders) {
    const [hierarchy, path] = (p.now ?? p.before)!;
    const change = changeOf(p);
    const key = `${change} ${path}`;
    const item = byPath.get(key) ?? { change, path: path!, hierarchies: [], limits: [], container: containerOf(path!) };
    item.hierarchies.push(hierarchy!);
    byPath.set(key, item);
  }
  const seen = new Set<string>();
  for (const p of limits) {
    const [, path, kind = '', value] = (p.now ?? p.before)!;
    // One limit per kind and cgroup (cpu sits in "cpu,cpuacct" on v1, memory in memory).
    if (seen.has(`${path} ${kind}`)) continue;
    seen.add(`${path} ${kind}`);
    if (p.before && p.now) {
      const before = p.before[3];
      const key = `changed ${path}`;
      const item = byPath.get(key) ?? { change: 'changed' as const, path: path!, hierarchies: [], limits: [], container: containerOf(path!) };
      item.limits.push(`${kind} ${readableLimit(kind, before)} → ${readableLimit(kind, value)}`);
      byPath.set(key, item);
      continue;
    }
    const item = byPath.get(`${p.now ? 'created' : 'removed'} ${path}`);
    if (item && value !== 'max') item.limits.push(`${kind} ${readableLimit(kind, value)}`);
  }
  return [...byPath.values()];
}

function readableLimit(kind: string, value: string | undefined): string {
  if (value === undefined || value === 'max') return 'max';
  if (kind === 'memory' && /^\d+$/.test(value)) {
    const mib = Number(value) / 2 ** 20;
    return Number.isInteger(mib) ? `${mib} MiB` : `${value} bytes`;
  }
  // cgroup v2 cpu.max is "QUOTA PERIOD"; v1 cfs_quota_us is the quota alone (period 100000 by default).
  if (kind === 'cpu') {
    const [quota, period = '100000'] = value.split(' ');
    return quota === 'max' ? 'max' : `${Number(quota) / Number(period)} CPU`;
  }
  return value;
}

function namespaceItems(paired: readonly Paired[], members: Map<string, string[]>, table: Map<string, { ppid: string; command: string }>): NamespaceItem[] {
  return paired.map((p) => {
    const namespace = (p.now ?? p.before)![0]!;
    return {
      change: changeOf(p),
      namespace,
      type: namespace.split(':')[0]!,
      members: p.now ? (members.get(namespace) ?? []).map((pid) => `${pid} ${table.get(pid)?.command ?? ''}`.trim()) : [],
    };
  });
}

function interfaceItems(paired: readonly Paired[]): InterfaceItem[] {
  return paired.map((p) => {
    const [name, master] = (p.now ?? p.before)!;
    return { change: changeOf(p), name: name!, master: master ?? '' };
  });
}
