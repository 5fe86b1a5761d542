import type { ReactNode } from 'react';
import styles from './forms.module.css';

/** A form's last lines: what went wrong (announced to screen readers), then its submit button. */
export function SubmitRow({ error, busy, children }: { error: string | undefined; busy: boolean; children: ReactNode }) {
  return (
    <>
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      <button type="submit" className={styles.primary} disabled={busy}>
        {children}
      </button>
    </>
  );
}
