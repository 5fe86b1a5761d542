'use client';

import { useCallback, useEffect, useState } from 'react';
import { lifetimeLine, machineFacts } from '@/lib/machines/lifetime.ts';
import { MachineAnswer, type MachineView } from '@/lib/machines/view.ts';
import { callApi, messageOf } from '../api-client.ts';

/** The time left counts down, and the idle time is asked again, while the page stays open. */
const TICK_MS = 60_000;

/**
 * Under the terminal: one muted line on how long the learner's machine is kept, and a
 * panel with its time left, limits, what happens at the end, and "Reset my machine".
 * Asked again each time the terminal connects, since a reconnect may be to a new machine
 * (after a reset or expiry). A failed or odd answer shows nothing.
 */
export function MachinePanel({ connected }: { connected: boolean }) {
  const [view, setView] = useState<MachineView>();
  const [now, setNow] = useState(() => new Date());
  const [open, setOpen] = useState(false);

  const load = useCallback((signal?: AbortSignal) => {
    fetch('/api/machine', { signal, cache: 'no-store' })
      .then((res) => (res.ok ? res.json() : undefined))
      .catch(() => undefined)
      .then((body: unknown) => {
        if (signal?.aborted) return;
        const answer = MachineAnswer.safeParse(body);
        setView(answer.success ? answer.data.machine : undefined);
        setNow(new Date());
      });
  }, []);

  useEffect(() => {
    if (!connected) return;
    const abort = new AbortController();
    load(abort.signal);
    const timer = setInterval(() => load(abort.signal), TICK_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [connected, load]);

  const line = connected && view ? lifetimeLine(view, now) : undefined;
  return (
    <div className="terminal-machine">
      {/* The strip keeps its height while empty, so the line appearing never resizes the terminal. */}
      <div className="terminal-lifetime">
        {line && (
          <p role="note" aria-label="Machine lifetime" title={line}>
            {line}
          </p>
        )}
        {line && (
          <button type="button" className="terminal-machine-toggle" aria-expanded={open} aria-controls="machine-panel" onClick={() => setOpen(!open)}>
            Your machine
          </button>
        )}
      </div>
      {open && view && (
        <section id="machine-panel" className="terminal-machine-panel" aria-label="Your machine">
          <dl>
            {machineFacts(view, now).map((fact) => (
              <div key={fact.term}>
                <dt>{fact.term}</dt>
                <dd>{fact.detail}</dd>
              </div>
            ))}
          </dl>
          <ResetMine onReset={() => load()} />
        </section>
      )}
    </div>
  );
}

/** "Reset my machine", asked twice: everything on it is lost. */
function ResetMine({ onReset }: { onReset: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function reset() {
    setBusy(true);
    setError(undefined);
    try {
      await callApi('/api/machine/reset', MachineAnswer, { method: 'POST', body: {} });
      setConfirming(false);
      onReset();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  if (!confirming) {
    return (
      <p>
        <button type="button" onClick={() => setConfirming(true)}>
          Reset my machine…
        </button>
      </p>
    );
  }
  return (
    <div role="group" aria-label="Confirm the reset" className="terminal-machine-confirm">
      <p>
        Reset your machine? It is removed with everything on it (files, containers, images) and a fresh one takes its place in your open terminals. Your recorded
        results are kept.
      </p>
      <button type="button" onClick={() => void reset()} disabled={busy}>
        {busy ? 'Resetting…' : 'Reset it'}
      </button>{' '}
      <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
        Cancel
      </button>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
