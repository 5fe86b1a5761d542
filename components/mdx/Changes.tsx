'use client';

import { CHANGE_KINDS, type ChangeKind } from '@/lib/changes/schema.ts';
import { ChangeSetView } from '../changes/ChangeSetView.tsx';
import { useMachineChanges } from '../changes/MachineChanges.tsx';

/**
 * In a lesson's text: what the learner's last command changed on their machine, live,
 * where the text talks about it. `kinds`: which kinds to show, e.g. "files processes"
 * (default: all).
 */
export function Changes({ kinds }: { kinds?: string }) {
  const entries = useMachineChanges();
  const chosen = kinds ? CHANGE_KINDS.filter((k: ChangeKind) => kinds.split(/[\s,]+/).includes(k)) : CHANGE_KINDS;
  const last = entries.findLast((e) => !e.baseline);
  return (
    <figure className="changes-inline" aria-label="What your last command changed">
      <figcaption>
        {last ? (
          <>
            What <code>{last.command || 'your last command'}</code> changed on your machine
          </>
        ) : (
          'Run a command in the terminal: what it changes on your machine appears here.'
        )}
      </figcaption>
      {last && <ChangeSetView changes={last.changes} kinds={chosen} />}
    </figure>
  );
}
