'use client';

import { useEffect, useState } from 'react';
import { CommandChanges } from '@/lib/changes/schema.ts';

/** Change sets the page keeps, across terminals. */
const KEEP = 30;

/**
 * The learner's change sets, oldest first, as the server's event stream sends them: its
 * recent history, then each new one. The browser's EventSource reconnects by itself, and
 * each connection starts with the server's history again, so the list starts over.
 */
export function useMachineChanges(): CommandChanges[] {
  const [entries, setEntries] = useState<CommandChanges[]>([]);
  useEffect(() => {
    const events = new EventSource('/api/changes/events');
    events.onopen = () => setEntries([]);
    events.onmessage = (message) => {
      const parsed = CommandChanges.safeParse(JSON.parse(String(message.data)));
      if (parsed.success) setEntries((known) => [...known, parsed.data].slice(-KEEP));
    };
    return () => events.close();
  }, []);
  return entries;
}
