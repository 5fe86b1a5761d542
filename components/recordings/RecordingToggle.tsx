'use client';

import { useState } from 'react';
import { ClassRecordingResponse, RECORDING_CAP_BYTES } from '@/lib/recordings/views.ts';
import { callApi, messageOf } from '../api-client.ts';

/** The class setting: record the learners' terminals or not. */
export function RecordingToggle({ classId, recording, onChange }: { classId: string; recording: boolean; onChange: (message: string) => void }) {
  const [on, setOn] = useState(recording);
  const [busy, setBusy] = useState(false);

  async function toggle(next: boolean) {
    const question = next
      ? `Record the terminals of this class’s learners? They are told when they join and in the terminal. Terminals they open from now on are recorded, up to ${RECORDING_CAP_BYTES / 1024 / 1024} MB per learner.`
      : 'Stop recording? Open terminals stop at once; the recordings made so far are kept with the class.';
    if (!window.confirm(question)) return;
    setBusy(true);
    try {
      const r = await callApi(`/api/classes/${classId}/recording`, ClassRecordingResponse, { method: 'POST', body: { on: next } });
      setOn(r.recording);
      onChange(r.recording ? 'Recording is on: terminals learners open from now on are recorded' : 'Recording is off');
    } catch (e) {
      onChange(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span data-testid="recording-setting" data-recording={on}>
      Terminal recording {on ? 'on' : 'off'}{' '}
      <button type="button" disabled={busy} onClick={() => void toggle(!on)}>
        {on ? 'Stop recording' : 'Record terminals'}
      </button>
    </span>
  );
}
