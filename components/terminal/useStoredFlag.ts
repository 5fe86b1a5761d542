'use client';

import { useSyncExternalStore } from 'react';

/** A boolean preference kept in localStorage, shared by every tab of the site; false on the server. */
export function useStoredFlag(key: string): [boolean, (on: boolean) => void] {
  const on = useSyncExternalStore(
    (onChange) => {
      window.addEventListener('storage', onChange);
      return () => window.removeEventListener('storage', onChange);
    },
    () => localStorage.getItem(key) === 'on',
    () => false,
  );
  const set = (value: boolean) => {
    localStorage.setItem(key, value ? 'on' : 'off');
    // 'storage' fires only in other tabs; tell this one too.
    window.dispatchEvent(new StorageEvent('storage', { key }));
  };
  return [on, set];
}
