import type { ReactNode } from 'react';

/** Help the learner opens on purpose; closed by default so it does not give the answer away. */
export function Hint({ children, title = 'Hint' }: { children: ReactNode; title?: string }) {
  return (
    <details className="hint">
      <summary>{title}</summary>
      <div className="hint-body">{children}</div>
    </details>
  );
}
