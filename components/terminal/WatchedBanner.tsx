'use client';

import { useState } from 'react';
import type { ClientMessage, WatchNotice } from '@/lib/terminal/protocol.ts';

type Answer = Extract<ClientMessage, { t: 'takeover' }>['answer'];

/** The latest watch notice from any of the learner's terminals, and how to answer on it. */
export interface Watched {
  readonly notice: WatchNotice;
  readonly answer: (answer: Answer) => void;
}

function names(list: readonly string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

/**
 * Tells the learner, beside their terminal, that an instructor watches it (who), asks to
 * type in it (accept or refuse here), may type in it (end it here), or stopped watching.
 */
export function WatchedBanner({ watched }: { watched: Watched | undefined }) {
  // Who watched last: "stopped watching" names them after the list has emptied.
  const [lastWatchers, setLastWatchers] = useState<readonly string[]>([]);
  const [dismissed, setDismissed] = useState(false);
  const watchers = watched?.notice.watchers ?? [];
  if (watchers.length > 0 && watchers.join('\n') !== lastWatchers.join('\n')) {
    setLastWatchers(watchers);
    setDismissed(false);
  }

  if (!watched || watchers.length === 0) {
    if (lastWatchers.length === 0 || dismissed) return null;
    return (
      <p className="terminal-watched" role="status" data-watch="stopped">
        {names(lastWatchers)} stopped watching your terminals.{' '}
        <button type="button" onClick={() => setDismissed(true)}>
          Dismiss
        </button>
      </p>
    );
  }

  const { takeover } = watched.notice;
  const verb = watchers.length === 1 ? 'is' : 'are';
  return (
    <div className="terminal-watched" data-watch={takeover?.state ?? 'watching'}>
      <p role="status">
        <strong>{names(watchers)}</strong> {verb} watching your terminals (they see what you type and what it prints).
      </p>
      {takeover?.state === 'asked' && (
        <p role="alert">
          {takeover.by} asks to type in your terminals.{' '}
          <button type="button" onClick={() => watched.answer('accept')}>
            Let {takeover.by} type
          </button>{' '}
          <button type="button" onClick={() => watched.answer('refuse')}>
            Refuse
          </button>
        </p>
      )}
      {takeover?.state === 'granted' && (
        <p role="alert">
          {takeover.by} can type in your terminals now.{' '}
          <button type="button" onClick={() => watched.answer('end')}>
            Stop {takeover.by} typing
          </button>
        </p>
      )}
    </div>
  );
}
