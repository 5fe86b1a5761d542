'use client';

import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TakeoverState } from '@/lib/terminal/protocol.ts';
import { WatchConnection, type WatchConnectionState } from '@/lib/terminal/watch-client.ts';
import { useStoredFlag } from '../terminal/useStoredFlag.ts';
import styles from './gradebook.module.css';
import watchStyles from './watch.module.css';

const theme = { background: '#14171a', foreground: '#d7dde3', cursor: '#5aa6ff', selectionBackground: '#35506e' };

/**
 * Where a watched terminal's output goes: its screen once mounted, kept until then
 * (the replay arrives right after the list that makes React mount the screen). Each
 * screen has the learner's size, so full-screen programs look as they do for them.
 */
class Screens {
  private readonly terms = new Map<string, Terminal>();
  private pending = new Map<string, string[]>();
  private readonly sizes = new Map<string, { cols: number; rows: number }>();

  resize(name: string, size: { cols: number; rows: number }): void {
    this.sizes.set(name, size);
    this.terms.get(name)?.resize(size.cols, size.rows);
  }

  write(name: string, data: string): void {
    const term = this.terms.get(name);
    if (term) term.write(data);
    else this.pending.set(name, [...(this.pending.get(name) ?? []), data]);
  }

  mount(name: string, term: Terminal): () => void {
    const size = this.sizes.get(name);
    if (size) term.resize(size.cols, size.rows);
    for (const data of this.pending.get(name) ?? []) term.write(data);
    this.pending.delete(name);
    this.terms.set(name, term);
    return () => {
      if (this.terms.get(name) === term) this.terms.delete(name);
    };
  }

  /** A new replay follows (a reconnect): every screen starts over. */
  reset(): void {
    for (const term of this.terms.values()) term.reset();
    this.pending = new Map();
  }
}

const takeoverLine: Record<TakeoverState, string> = {
  none: 'Read-only: you see what the learner types and what it prints.',
  asked: 'Waiting for the learner to accept on their screen…',
  granted: 'The learner let you type: your keystrokes go to their terminal until they (or you) stop it.',
  refused: 'The learner refused. Read-only.',
  busy: 'Another instructor is typing in (or asked for) this learner’s terminals.',
};

/** An instructor's live view of one learner's terminals, read-only unless the learner lets them type. */
export function WatchLearner({ classId, userId }: { classId: string; userId: string }) {
  const [learner, setLearner] = useState<string>();
  const [terminals, setTerminals] = useState<readonly string[]>([]);
  const [active, setActive] = useState<string>();
  const [takeover, setTakeover] = useState<TakeoverState>('none');
  const [state, setState] = useState<WatchConnectionState>({ kind: 'connecting' });
  const [note, setNote] = useState<string>();
  const [screenReader, setScreenReader] = useStoredFlag('unboxed.terminal.screenReader');
  const screens = useMemo(() => new Screens(), []);
  const connection = useRef<WatchConnection | null>(null);

  useEffect(() => {
    const watch = new WatchConnection(classId, userId, {
      message(message) {
        switch (message.t) {
          case 'watching':
            screens.reset();
            setLearner(message.learner);
            setTakeover('none');
            return;
          case 'terminals':
            setTerminals(message.terminals);
            return;
          case 'output':
            screens.write(message.terminal, message.data);
            return;
          case 'size':
            screens.resize(message.terminal, { cols: message.cols, rows: message.rows });
            return;
          case 'gap':
            screens.write(message.terminal, '\r\n\x1b[0;2m[output skipped: this view fell behind]\x1b[0m\r\n');
            return;
          case 'takeover':
            setTakeover(message.state);
            setNote(undefined);
            return;
          case 'error':
            setNote(message.message);
            return;
        }
      },
      state: setState,
    });
    connection.current = watch;
    watch.connect();
    return () => {
      watch.dispose();
      connection.current = null;
    };
  }, [classId, userId, screens]);

  const shown = active && terminals.includes(active) ? active : terminals[0];
  const typing = takeover === 'granted';
  return (
    <main className={styles.page}>
      <p className={styles.kicker}>
        <Link href="/classes">Classes</Link> · <Link href={`/classes/${classId}`}>Gradebook</Link> · <Link href={`/classes/${classId}/learners/${userId}`}>{learner ?? 'Learner'}</Link>
      </p>
      <h1>Watching {learner ?? '…'}</h1>
      <div className={styles.toolbar}>
        <span role="status" data-watch-state={state.kind}>
          {state.kind === 'connected' ? (terminals.length === 0 ? 'Connected. They have no terminal open now; one they open appears here.' : 'Live.') : state.kind === 'failed' ? state.message : state.kind === 'waiting' ? 'Connection lost, retrying…' : 'Connecting…'}
        </span>
        {state.kind === 'connected' &&
          (takeover === 'asked' || takeover === 'granted' ? (
            <button type="button" onClick={() => connection.current?.send({ t: 'takeover-end' })}>
              {takeover === 'granted' ? 'Stop typing' : 'Cancel the request'}
            </button>
          ) : (
            <button type="button" disabled={takeover === 'busy'} onClick={() => connection.current?.send({ t: 'takeover-request' })}>
              Ask to type
            </button>
          ))}
        <button type="button" aria-pressed={screenReader} onClick={() => setScreenReader(!screenReader)} title="Expose the terminal's text to screen readers">
          Screen reader
        </button>
      </div>
      <p className={styles.muted} data-takeover={takeover}>
        {takeoverLine[takeover]}
      </p>
      {note && (
        <p role="alert" className={styles.error}>
          {note}
        </p>
      )}
      {terminals.length > 0 && (
        <div role="tablist" aria-label="The learner's terminals" className={watchStyles.tabs}>
          {terminals.map((name) => (
            <button key={name} type="button" role="tab" aria-selected={name === shown} onClick={() => setActive(name)}>
              Terminal {name}
            </button>
          ))}
        </div>
      )}
      {terminals.map((name) => (
        <WatchScreen
          key={name}
          name={name}
          shown={name === shown}
          typing={typing}
          screenReader={screenReader}
          screens={screens}
          send={(data) => connection.current?.send({ t: 'input', terminal: name, data })}
        />
      ))}
    </main>
  );
}

function WatchScreen({ name, shown, typing, screenReader, screens, send }: { name: string; shown: boolean; typing: boolean; screenReader: boolean; screens: Screens; send: (data: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const sendRef = useRef(send);
  useEffect(() => {
    sendRef.current = send;
  });

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const xterm = new Terminal({ fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', fontSize: 14, scrollback: 5000, theme, disableStdin: true });
    xterm.open(element);
    term.current = xterm;
    const unmount = screens.mount(name, xterm);
    // xterm sends nothing while disableStdin is on: only a granted take-over turns it off.
    const input = xterm.onData((data) => sendRef.current(data));
    return () => {
      input.dispose();
      unmount();
      xterm.dispose();
      term.current = null;
    };
  }, [name, screens]);

  useEffect(() => {
    if (!term.current) return;
    term.current.options.disableStdin = !typing;
    term.current.options.cursorBlink = typing;
    if (typing && shown) term.current.focus();
  }, [typing, shown]);

  useEffect(() => {
    if (term.current) term.current.options.screenReaderMode = screenReader;
  }, [screenReader]);

  return <div ref={host} className={watchStyles.screen} hidden={!shown} data-terminal={name} data-typing={typing} />;
}
