'use client';

import { useEffect, useState } from 'react';
import { z } from 'zod';
import type { ConnectionState } from '@/lib/terminal/client.ts';
import { ChangesPanel } from '../changes/ChangesPanel.tsx';
import { RecordingNotice } from '../recordings/RecordingNotice.tsx';
import { MachinePanel } from './MachinePanel.tsx';
import { TerminalView } from './TerminalView.tsx';
import { useStoredFlag } from './useStoredFlag.ts';
import { WatchedBanner, type Watched } from './WatchedBanner.tsx';

const TerminalList = z.object({ terminals: z.array(z.string()) });

/** A short label for the tab bar; long messages (a queue position, a refusal) get the banner below. */
function describe(state: ConnectionState | undefined): string {
  switch (state?.kind) {
    case undefined:
    case 'connecting':
      return state && state.attempt > 1 ? `Reconnecting (attempt ${state.attempt})…` : 'Connecting…';
    case 'starting':
      return 'Starting…';
    case 'connected':
      return 'Connected';
    case 'waiting':
      return `Connection lost, retrying in ${(state.retryInMs / 1000).toFixed(1)} s`;
    case 'taken-over':
      return 'Opened in another window';
    case 'exited':
      return `Shell exited (${state.code})`;
    case 'failed':
      return 'Not connected';
  }
}

/**
 * The learner's terminals as tabs, each a persistent shell on their machine. Tabs come
 * back after a reload because the server keeps the shells and lists them.
 */
export function TerminalPane() {
  const [names, setNames] = useState<string[] | null>(null);
  const [active, setActive] = useState('1');
  const [states, setStates] = useState<Record<string, ConnectionState>>({});
  // Bumping a terminal's generation remounts its view: a fresh connection after a refusal.
  const [generations, setGenerations] = useState<Record<string, number>>({});
  const [screenReader, setScreenReader] = useStoredFlag('unboxed.terminal.screenReader');
  // Told by the server on every open terminal: shown once, until the learner dismisses it.
  const [notice, setNotice] = useState<string>();
  const [watched, setWatched] = useState<Watched>();

  useEffect(() => {
    fetch('/api/terminals')
      .then((res) => res.json())
      .then((body) => TerminalList.parse(body).terminals)
      .catch(() => [])
      .then((open) => {
        const list = open.length > 0 ? open : ['1'];
        setNames(list);
        setActive(list[0]!);
      });
  }, []);

  function addTerminal() {
    const taken = new Set(names);
    let n = 1;
    while (taken.has(String(n))) n += 1;
    setNames([...(names ?? []), String(n)]);
    setActive(String(n));
  }

  const state = states[active];
  return (
    <section className="terminal" aria-label="Terminal">
      <header className="terminal-tabs" role="tablist" aria-label="Terminals">
        {names?.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            className="terminal-tab"
            aria-selected={name === active}
            data-state={states[name]?.kind ?? 'connecting'}
            onClick={() => setActive(name)}
          >
            Terminal {name}
          </button>
        ))}
        <button type="button" className="terminal-new" onClick={addTerminal} aria-label="New terminal" title="New terminal">
          +
        </button>
        <span className="terminal-state" role="status" data-state={state?.kind ?? 'connecting'}>
          {describe(state)}
        </span>
        <RecordingNotice />
        <button type="button" className="terminal-option" aria-pressed={screenReader} onClick={() => setScreenReader(!screenReader)} title="Expose the terminal's text to screen readers">
          Screen reader
        </button>
      </header>
      <WatchedBanner watched={watched} />
      <div className="terminal-screens">
        {names?.map((name) => (
          <TerminalView
            key={`${name}#${generations[name] ?? 0}`}
            name={name}
            active={name === active}
            screenReader={screenReader}
            onState={(s) => setStates((all) => ({ ...all, [name]: s }))}
            onNotice={setNotice}
            onWatch={(notice, answer) => setWatched({ notice, answer })}
          />
        ))}
      </div>
      {notice && (
        <p className="terminal-banner terminal-notice" role="alert">
          {notice}{' '}
          <button type="button" onClick={() => setNotice(undefined)}>
            OK
          </button>
        </p>
      )}
      {state?.kind === 'starting' && (
        <p className="terminal-banner" role="status">
          {state.message}
        </p>
      )}
      {state?.kind === 'failed' && (
        <p className="terminal-banner" role="alert">
          {state.message}{' '}
          <button type="button" onClick={() => setGenerations((all) => ({ ...all, [active]: (all[active] ?? 0) + 1 }))}>
            Try again
          </button>
        </p>
      )}
      {state?.kind === 'taken-over' && (
        <p className="terminal-banner">
          This terminal is open in another window. <button type="button" onClick={() => location.reload()}>Use it here</button>
        </p>
      )}
      {state?.kind === 'exited' && (
        <p className="terminal-banner">
          This shell has ended (its machine may have been reset or expired).{' '}
          <button type="button" onClick={() => location.reload()}>Start a new shell</button>
        </p>
      )}
      <ChangesPanel terminal={active} />
      <MachinePanel connected={state?.kind === 'connected'} />
    </section>
  );
}
