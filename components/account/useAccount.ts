'use client';

import { useEffect, useState } from 'react';
import { MeResponse, type AccountView } from '@/lib/auth/views.ts';
import { callApi } from '../api-client.ts';

/** The signed-in account: undefined while loading, null when signed out. */
export function useAccount(): AccountView | null | undefined {
  const [account, setAccount] = useState<AccountView | null | undefined>(undefined);
  useEffect(() => {
    callApi('/api/me', MeResponse)
      .then((me) => setAccount(me.account))
      .catch(() => setAccount(null));
  }, []);
  return account;
}
