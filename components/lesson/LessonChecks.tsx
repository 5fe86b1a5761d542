'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { z } from 'zod';
import { ExerciseResult } from '@/lib/checks/result.ts';
import { postCheck } from './check-request.ts';

interface LessonChecks {
  readonly results: ReadonlyMap<string, ExerciseResult>;
  readonly checking: boolean;
  /** Runs the lesson's checks now (the Check button): retried once, safely, when the server does not answer. */
  check(): Promise<void>;
}

const Checks = createContext<LessonChecks | null>(null);
const CheckResponse = z.object({ results: z.array(ExerciseResult) });

/** Follows the learner's check results for one lesson as the server pushes them. */
export function LessonChecksProvider({ slug, children }: { slug: string; children: ReactNode }) {
  const [results, setResults] = useState<ReadonlyMap<string, ExerciseResult>>(new Map());
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    const source = new EventSource(`/api/lessons/${slug}/events`);
    source.onmessage = (event) => {
      const result = ExerciseResult.safeParse(JSON.parse(String(event.data)));
      if (result.success) setResults((all) => new Map(all).set(result.data.exercise, result.data));
    };
    return () => source.close();
  }, [slug]);

  async function check() {
    setChecking(true);
    try {
      const response = await postCheck(slug);
      const body = CheckResponse.safeParse(await response.json());
      if (body.success) setResults(new Map(body.data.results.map((r) => [r.exercise, r])));
    } finally {
      setChecking(false);
    }
  }

  return <Checks.Provider value={{ results, checking, check }}>{children}</Checks.Provider>;
}

export function useLessonChecks(): LessonChecks {
  const checks = useContext(Checks);
  if (!checks) throw new Error('useLessonChecks must be used inside <LessonChecksProvider>');
  return checks;
}
