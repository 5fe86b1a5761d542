import type { ReactNode } from 'react';

/** A side remark set apart from the lesson's main line. */
export function Note({ children, title = 'Note' }: { children: ReactNode; title?: string }) {
  return (
    <aside className="note" aria-label={title}>
      <strong className="note-title">{title}</strong>
      <div>{children}</div>
    </aside>
  );
}
