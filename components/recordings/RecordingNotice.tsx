'use client';

import { useEffect, useState } from 'react';
import { MyRecordingResponse } from '@/lib/recordings/views.ts';
import { callApi } from '../api-client.ts';
import styles from './recordings.module.css';

/** How often the notice asks again: an instructor may turn recording on or off during the lesson. @default 60 s */
const REFRESH_MS = 60_000;

/** In the terminal's header while a class of the learner's records their terminals. */
export function RecordingNotice() {
  const [classes, setClasses] = useState<MyRecordingResponse['classes']>([]);
  useEffect(() => {
    const load = () =>
      void callApi('/api/recordings/mine', MyRecordingResponse).then(
        (r) => setClasses(r.classes),
        // Not known is not recorded-by-mistake: the server records only with the class's flag on; the notice retries.
        () => undefined,
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (classes.length === 0) return null;
  const names = classes.map((c) => c.name).join(', ');
  return (
    <span className={styles.notice} role="note" data-testid="terminal-recording" title={`${names} records these terminals (newly opened ones): your instructor can replay them with your check results.`}>
      ● Recorded for {names}
    </span>
  );
}
