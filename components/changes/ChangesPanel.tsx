'use client';

import { useState } from 'react';
import { CHANGE_KINDS, type ChangeSet, type CommandChanges } from '@/lib/changes/schema.ts';
import { useStoredFlag } from '../terminal/useStoredFlag.ts';
import { ChangeSetView, KIND_NAMES } from './ChangeSetView.tsx';
import styles from './changes.module.css';
import { useMachineChanges } from './MachineChanges.tsx';

/** What an entry stands for: its command line, or when it was taken without one. */
function label(entry: CommandChanges): string {
  if (entry.baseline) return '(start)';
  if (entry.command) return entry.command;
  return entry.terminal === '' ? 'since you opened this page' : 'between commands';
}

/** "2 containers, 14 files": what a change set holds, in one line. */
function summary(set: ChangeSet): string {
  const parts = CHANGE_KINDS.flatMap((kind) => {
    const n = set[kind].items.length + set[kind].more;
    return n === 0 ? [] : [`${n} ${KIND_NAMES[kind][n === 1 ? 0 : 1]}`];
  });
  return parts.length > 0 ? parts.join(', ') : 'nothing changed';
}

/**
 * "What changed": beside the terminal, what the last finished command did to the machine
 * (files, processes, mounts, cgroups, namespaces, interfaces, containers), and the
 * commands before it. It follows the active terminal; paused, it keeps what it shows
 * while new change sets wait.
 */
export function ChangesPanel({ terminal }: { terminal: string }) {
  const all = useMachineChanges();
  const [collapsed, setCollapsed] = useStoredFlag('unboxed.changes.collapsed');
  const [pausedAt, setPausedAt] = useState<number>();
  const [chosen, setChosen] = useState<number>();

  const mine = all.filter((e) => e.terminal === terminal || e.terminal === '');
  const visible = pausedAt === undefined ? mine : mine.filter((e) => e.seq <= pausedAt);
  const waiting = mine.length - visible.length;
  const shown = visible.find((e) => e.seq === chosen) ?? visible.at(-1);

  return (
    <section className={styles.panel} aria-label="What changed" data-collapsed={collapsed}>
      <header className={styles.bar}>
        <button type="button" className={styles.toggle} aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
          What changed
        </button>
        <span className={styles.headline} role="status" aria-live="polite">
          {shown ? <Headline entry={shown} /> : 'Run a command to see what it changes on your machine.'}
        </span>
        <button
          type="button"
          className={styles.pause}
          aria-pressed={pausedAt !== undefined}
          onClick={() => setPausedAt(pausedAt === undefined ? (mine.at(-1)?.seq ?? 0) : undefined)}
          title={pausedAt === undefined ? 'Keep this change set on screen while you read it' : 'Show the newest change sets again'}
        >
          {pausedAt === undefined ? 'Pause' : waiting > 0 ? `Resume (${waiting} new)` : 'Resume'}
        </button>
      </header>
      {!collapsed && (
        <div className={styles.body}>
          {visible.length > 1 && (
            <ol className={styles.history} aria-label="Recent commands">
              {visible
                .slice()
                .reverse()
                .map((entry) => (
                  <li key={entry.seq}>
                    <button type="button" aria-current={entry === shown} onClick={() => setChosen(entry.seq)} title={label(entry)}>
                      {label(entry)}
                    </button>
                  </li>
                ))}
            </ol>
          )}
          {shown && !shown.baseline && <ChangeSetView changes={shown.changes} />}
        </div>
      )}
    </section>
  );
}

function Headline({ entry }: { entry: CommandChanges }) {
  if (entry.baseline) return <>Watching your machine: each command&apos;s changes appear here.</>;
  return (
    <>
      <code>{label(entry)}</code> {summary(entry.changes)}
    </>
  );
}
