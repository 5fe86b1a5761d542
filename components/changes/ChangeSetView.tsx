import { CHANGE_KINDS, changeCount, type ChangeKind, type ChangeSet } from '@/lib/changes/schema.ts';
import styles from './changes.module.css';

export const KIND_NAMES: Record<ChangeKind, [string, string]> = {
  containers: ['container', 'containers'],
  files: ['file', 'files'],
  processes: ['process', 'processes'],
  mounts: ['mount', 'mounts'],
  cgroups: ['cgroup', 'cgroups'],
  namespaces: ['namespace', 'namespaces'],
  interfaces: ['interface', 'interfaces'],
};
const SIGN = { created: '+', removed: '−', changed: '~' } as const;

/** A container id in a path, shortened as docker ps shows it. */
const shortIds = (text: string) => text.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');

/**
 * A change set by kind, each item expandable: in the panel, in a lesson (`kinds`: only
 * those), and in an exercise's evidence.
 */
export function ChangeSetView({ changes, kinds = CHANGE_KINDS }: { changes: ChangeSet; kinds?: readonly ChangeKind[] }) {
  if (changeCount(changes) === 0) return <p className={styles.none}>This command changed nothing the panel watches (files under Docker&apos;s folders, processes, mounts, cgroups, namespaces, interfaces).</p>;
  return (
    <div className={styles.kinds}>
      {kinds.map((kind) => {
        const rows = rowsOf(changes, kind);
        const { more } = changes[kind];
        if (rows.length === 0 && more === 0) return null;
        return (
          <section key={kind} aria-label={KIND_NAMES[kind][1]}>
            <h3 className={styles.kind}>
              {KIND_NAMES[kind][1]} <span>{rows.length + more}</span>
            </h3>
            <ul className={styles.items}>
              {rows.map((row, i) => (
                <Item key={i} row={row} />
              ))}
              {more > 0 && <li className={styles.more}>and {more} more</li>}
            </ul>
          </section>
        );
      })}
      {changes.truncated > 0 && <p className={styles.more}>The machine reported {changes.truncated} differences; the first ones are shown.</p>}
    </div>
  );
}

/** One item as the panel shows it: a line, and what expanding it shows. */
interface Row {
  readonly change: keyof typeof SIGN;
  readonly line: string;
  readonly details: readonly string[];
  readonly container?: string | undefined;
}

function Item({ row }: { row: Row }) {
  const head = (
    <>
      <span className={styles.sign} data-change={row.change} aria-label={row.change}>
        {SIGN[row.change]}
      </span>
      <span className={styles.text}>{shortIds(row.line)}</span>
      {row.container && <span className={styles.container}>{row.container}</span>}
    </>
  );
  if (row.details.length === 0) return <li className={styles.item}>{head}</li>;
  return (
    <li className={styles.item}>
      <details>
        <summary>{head}</summary>
        <ul className={styles.details}>
          {row.details.map((d, i) => (
            <li key={i}>{shortIds(d)}</li>
          ))}
        </ul>
      </details>
    </li>
  );
}

function rowsOf(set: ChangeSet, kind: ChangeKind): Row[] {
  switch (kind) {
    case 'containers':
      return set.containers.items.map((c) => ({ change: c.change, line: `${c.name} (${c.id.slice(0, 12)})${c.before ? ` renamed from ${c.before}` : ''}`, details: [] }));
    case 'files':
      return set.files.items.map((f) => {
        const inside = f.entries > 0 ? ` (${f.entries} ${f.entries === 1 ? 'entry' : 'entries'} inside)` : '';
        const what = f.details.length > 0 ? `: ${f.details.join(', ')}` : '';
        const rest = f.entries > f.sample.length ? [`… and ${f.entries - f.sample.length} more`] : [];
        return { change: f.change, line: `${f.path}${f.type === 'folder' ? '/' : ''}${inside}${what}`, details: [...f.sample, ...rest], container: f.container };
      });
    case 'processes':
      return set.processes.items.map((p) => ({
        change: p.change,
        line: `${p.pid} ${p.command}${p.before ? ` (was ${p.before})` : ''}`,
        details: [p.commandLine, `parents: ${[...p.parents, p.command].join(' → ')}`],
        container: p.container,
      }));
    case 'mounts':
      return set.mounts.items.map((m) => ({ change: m.change, line: `${m.mountPoint} (${m.fsType} from ${m.source})`, details: m.options.split(','), container: m.container }));
    case 'cgroups':
      return set.cgroups.items.map((c) => ({
        change: c.change,
        line: `${c.path}${c.limits.length > 0 ? `: ${c.limits.join(', ')}` : ''}`,
        details: c.hierarchies.length > 0 ? [`hierarchies: ${c.hierarchies.join(', ')}`] : [],
        container: c.container,
      }));
    case 'namespaces':
      return set.namespaces.items.map((n) => ({ change: n.change, line: n.namespace, details: n.members.length > 0 ? [`processes in it: ${n.members.join(', ')}`] : [] }));
    case 'interfaces':
      return set.interfaces.items.map((i) => ({ change: i.change, line: `${i.name}${i.master ? ` on ${i.master}` : ''}`, details: [] }));
  }
}
