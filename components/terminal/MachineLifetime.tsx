'use client';

import { useEffect, useState } from 'react';
import { lifetimeLine } from '@/lib/machines/lifetime.ts';
import { MachineAnswer, type MachineView } from '@/lib/machines/view.ts';

/** The "(4 h)" left counts down while the page stays open. */
const TICK_MS = 60_000;

/**
 * One muted line under the terminal: how long the learner's machine is kept and what
 * being away does to it. Asked again each time the terminal connects, since a reconnect
 * may be to a new machine (after a reset or expiry). A failed or odd answer shows nothing.
 */
export function MachineLifetime({ connected }: { connected: boolean }) {
  const [view, setView] = useState<MachineView>();
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    if (!connected) return;
    const abort = new AbortController();
    fetch('/api/machine', { signal: abort.signal })
      .then((res) => (res.ok ? res.json() : undefined))
      .catch(() => undefined)
      .then((body: unknown) => {
        if (abort.signal.aborted) return;
        const answer = MachineAnswer.safeParse(body);
        setView(answer.success ? answer.data.machine : undefined);
        setNow(new Date());
      });
    return () => abort.abort();
  }, [connected]);

  useEffect(() => {
    if (!view) return;
    const timer = setInterval(() => setNow(new Date()), TICK_MS);
    return () => clearInterval(timer);
  }, [view]);

  const line = connected && view ? lifetimeLine(view, now) : undefined;
  // The strip keeps its height while empty, so the line appearing never resizes the terminal.
  return (
    <div className="terminal-lifetime">
      {line && (
        <p role="note" aria-label="Machine lifetime" title={line}>
          {line}
        </p>
      )}
    </div>
  );
}
