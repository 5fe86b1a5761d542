'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { z } from 'zod';

const Progress = z.object({ passed: z.record(z.string(), z.int().nonnegative()) });

/** Passed exercises per lesson slug; undefined until known. */
const Passed = createContext<Record<string, number> | undefined>(undefined);

/** Fetches the learner's recorded progress once per visit of the page that holds it. */
export function ProgressProvider({ children }: { children: ReactNode }) {
  const [passed, setPassed] = useState<Record<string, number> | undefined>(undefined);
  useEffect(() => {
    fetch('/api/progress', { cache: 'no-store' })
      .then((res) => res.json())
      .then((body) => setPassed(Progress.parse(body).passed))
      .catch(() => undefined);
  }, []);
  return <Passed.Provider value={passed}>{children}</Passed.Provider>;
}

/** The learner's passed exercises in one lesson, from their recorded check results. */
export function LessonProgress({ slug, total }: { slug: string; total: number }) {
  const all = useContext(Passed);
  const passed = all ? (all[slug] ?? 0) : 0;
  return (
    <>
      <progress max={total} value={passed} aria-label={`${passed} of ${total} exercises done`} />
      <span className="progress-text">{all ? `${passed} / ${total} exercises` : `${total} exercises`}</span>
    </>
  );
}
