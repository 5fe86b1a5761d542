'use client';

import { useState } from 'react';
import { LearnerReportResponse } from '@/lib/classes/views.ts';
import { callApi, messageOf } from '../api-client.ts';

/**
 * An instructor resets a learner's machine, after saying yes to what it does: the
 * learner's terminals move to a fresh machine and tell them who reset it.
 */
export function ResetLearnerMachine({ classId, userId, name, onReset }: { classId: string; userId: string; name: string; onReset: (report: LearnerReportResponse) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string }>();

  async function reset() {
    setBusy(true);
    setOutcome(undefined);
    try {
      onReset(await callApi(`/api/classes/${classId}/learners/${userId}/reset`, LearnerReportResponse, { method: 'POST', body: {} }));
      setConfirming(false);
      setOutcome({ ok: true, message: `${name}'s machine was reset at ${new Date().toLocaleTimeString()}; their terminals are on the fresh one and told it was you.` });
    } catch (e) {
      setOutcome({ ok: false, message: messageOf(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {confirming ? (
        <span role="group" aria-label="Confirm the reset">
          Remove {name}&apos;s machine and everything on it, and give them a fresh one? Their results are kept.{' '}
          <button type="button" onClick={() => void reset()} disabled={busy}>
            {busy ? 'Resetting…' : 'Reset it'}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Reset machine…
        </button>
      )}
      {outcome && <p role={outcome.ok ? 'status' : 'alert'}>{outcome.message}</p>}
    </>
  );
}
