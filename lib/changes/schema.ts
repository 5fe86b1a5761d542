import { z } from 'zod';

/**
 * What one finished command changed on the learner's machine, grouped by kind. The server
 * builds it (lib/changes/diff.ts) and the page's "What changed" panel reads it, so both
 * sides share this schema.
 */

const Change = z.enum(['created', 'removed', 'changed']);
/** A container a path, cgroup or command line belongs to, by name. */
const Container = z.string().optional();

export const FileItem = z.object({
  change: Change,
  path: z.string(),
  /** file, folder, link, socket, fifo, … */
  type: z.string(),
  /** What differs, for a changed file: "size 0 → 174", "link a → b", "modified". */
  details: z.array(z.string()),
  /** A created or removed folder stands for everything under it: how many entries, and some of them. */
  entries: z.int().nonnegative(),
  sample: z.array(z.string()),
  container: Container,
});

export const ProcessItem = z.object({
  change: Change,
  pid: z.int(),
  command: z.string(),
  commandLine: z.string(),
  /** Its ancestors, oldest first, by command name: ["systemd", "containerd-shim"]. */
  parents: z.array(z.string()),
  /** For a changed process (it ran exec): the program before. */
  before: z.string().optional(),
  container: Container,
});

export const MountItem = z.object({
  change: Change,
  mountPoint: z.string(),
  fsType: z.string(),
  source: z.string(),
  /** Super-block options: for an overlay its lowerdir, upperdir and workdir. */
  options: z.string(),
  container: Container,
});

export const CgroupItem = z.object({
  change: Change,
  path: z.string(),
  /** cgroup v1: the hierarchies it appeared or went in; v2: ["unified"]. */
  hierarchies: z.array(z.string()),
  /** Limits set in it, readable: "memory 64 MiB", "pids 50", "cpu 0.5"; for a change, "memory max → 64 MiB". */
  limits: z.array(z.string()),
  container: Container,
});

export const NamespaceItem = z.object({
  change: Change,
  /** e.g. "net:[4026532268]" */
  namespace: z.string(),
  type: z.string(),
  /** The processes in it now, "1234 sleep". */
  members: z.array(z.string()),
});

export const InterfaceItem = z.object({
  change: Change,
  name: z.string(),
  /** The bridge it is attached to, if any. */
  master: z.string(),
});

export const ContainerItem = z.object({
  change: Change,
  id: z.string(),
  name: z.string(),
  before: z.string().optional(),
});

const limited = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), more: z.int().nonnegative() });

export const ChangeSet = z.object({
  containers: limited(ContainerItem),
  files: limited(FileItem),
  processes: limited(ProcessItem),
  mounts: limited(MountItem),
  cgroups: limited(CgroupItem),
  namespaces: limited(NamespaceItem),
  interfaces: limited(InterfaceItem),
  /** Differences the machine left out of a very large change set. */
  truncated: z.int().nonnegative(),
});
export type ChangeSet = z.infer<typeof ChangeSet>;
export type FileItem = z.infer<typeof FileItem>;
export type ProcessItem = z.infer<typeof ProcessItem>;
export type MountItem = z.infer<typeof MountItem>;
export type CgroupItem = z.infer<typeof CgroupItem>;
export type NamespaceItem = z.infer<typeof NamespaceItem>;
export type InterfaceItem = z.infer<typeof InterfaceItem>;
export type ContainerItem = z.infer<typeof ContainerItem>;

/** The command after which an exercise passed, and what it changed: kept as evidence with the result. */
export const CommandEvidence = z.object({ line: z.string(), changes: ChangeSet });
export type CommandEvidence = z.infer<typeof CommandEvidence>;

/** One finished command and what it changed, as the panel lists it. */
export const CommandChanges = z.object({
  /** Increasing per learner, for the page to tell new entries from known ones. */
  seq: z.int().positive(),
  terminal: z.string(),
  /** The command line, when the shell reported it. */
  command: z.string(),
  exitCode: z.int().optional(),
  finishedAt: z.iso.datetime(),
  /** ms from the command's end to this change set. */
  tookMs: z.int().nonnegative(),
  /** No earlier state to compare with (the first command seen): nothing to show yet. */
  baseline: z.boolean(),
  changes: ChangeSet,
});
export type CommandChanges = z.infer<typeof CommandChanges>;

export const CHANGE_KINDS = ['containers', 'files', 'processes', 'mounts', 'cgroups', 'namespaces', 'interfaces'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export function changeCount(set: ChangeSet): number {
  return CHANGE_KINDS.reduce((n, kind) => n + set[kind].items.length + set[kind].more, 0);
}
