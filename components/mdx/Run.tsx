'use client';

import { useState } from 'react';
import { useTerminalBridge } from '../terminal/TerminalContext.tsx';

type Outcome = 'idle' | 'sent' | 'copied' | 'failed';

const label: Record<Outcome, string> = {
  idle: 'Run',
  sent: 'Sent ✓',
  copied: 'Copied: no terminal attached',
  failed: 'No terminal attached',
};

/**
 * A demonstration command the learner can click: it goes to the active terminal.
 * Without a terminal it falls back to the clipboard, so the click is never lost.
 */
export function Run({ command }: { command: string }) {
  const bridge = useTerminalBridge();
  const [outcome, setOutcome] = useState<Outcome>('idle');

  async function run() {
    if (bridge.send(command)) {
      setOutcome('sent');
    } else {
      const copied = await navigator.clipboard?.writeText(command).then(
        () => true,
        () => false,
      );
      setOutcome(copied ? 'copied' : 'failed');
    }
    window.setTimeout(() => setOutcome('idle'), 2000);
  }

  return (
    <div className="run" data-outcome={outcome}>
      <code className="run-command">
        <span aria-hidden className="run-prompt">$ </span>
        {command}
      </code>
      <button type="button" className="run-button" onClick={run} aria-label={`Run in terminal: ${command}`}>
        {label[outcome]}
      </button>
    </div>
  );
}
