'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { CommandChanges } from '@/lib/changes/schema.ts';

/** Change sets the page keeps, across terminals. */
const KEEP = 30;

const Changes = createContext<readonly CommandChanges[] | null>(null);

/**
 * The learner's change sets, oldest first, for the panel and the lesson's <Changes />
 * alike, from one event stream: the server's recent history, then each new one. The
 * browser's EventSource reconnects by itself, and each connection starts with the
 * server's history again, so the list starts over. `lesson`: the open lesson, whose
 * watched paths the server follows.
 */
export function MachineChangesProvider({ lesson, children }: { lesson: string; children: ReactNode }) {
  const [entries, setEntries] = useState<CommandChanges[]>([]);
  useEffect(() => {
    const events = new EventSource(`/api/changes/events?lesson=${encodeURIComponent(lesson)}`);
    events.onopen = () => setEntries([]);
    events.onmessage = (message) => {
      const parsed = CommandChanges.safeParse(JSON.parse(String(message.data)));
      if (parsed.success) setEntries((known) => [...known, parsed.data].slice(-KEEP));
    };
    return () => events.close();
  }, [lesson]);
  return <Changes.Provider value={entries}>{children}</Changes.Provider>;
}

export function useMachineChanges(): readonly CommandChanges[] {
  const entries = useContext(Changes);
  if (!entries) throw new Error('useMachineChanges must be used inside <MachineChangesProvider>');
  return entries;
}
