'use client';

import 'asciinema-player/dist/bundle/asciinema-player.css';
import type { Player } from 'asciinema-player';
import { useEffect, useRef, useState } from 'react';
import { RecordingsResponse, type RecordingView } from '@/lib/recordings/views.ts';
import { callApi, messageOf } from '../api-client.ts';
import styles from './recordings.module.css';

/** "1:05" */
function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A learner's recorded terminals in a class, replayed with asciinema-player, their check
 * results as markers on its timeline (and as buttons that jump there).
 */
export function RecordingPlayer({ classId, userId }: { classId: string; userId: string }) {
  const [data, setData] = useState<{ recording: boolean; recordings: readonly RecordingView[] }>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const container = useRef<HTMLDivElement>(null);
  const player = useRef<Player>(undefined);

  useEffect(() => {
    callApi(`/api/classes/${classId}/learners/${userId}/recordings`, RecordingsResponse)
      .then((r) => {
        setData(r);
        setSelected(r.recordings.at(-1)?.id);
      })
      .catch((e: unknown) => setError(messageOf(e)));
  }, [classId, userId]);

  const recording = data?.recordings.find((r) => r.id === selected);
  useEffect(() => {
    const element = container.current;
    if (!recording || !element) return;
    let disposed = false;
    // The player touches the DOM when loaded: only in the browser.
    void import('asciinema-player').then((AsciinemaPlayer) => {
      if (disposed) return;
      player.current = AsciinemaPlayer.create({ url: `/api/classes/${classId}/learners/${userId}/recordings/${recording.id}.cast` }, element, {
        cols: recording.cols,
        rows: recording.rows,
        preload: true,
        fit: 'width',
        markers: recording.markers.map(([time, label]) => [time, label] as [number, string]),
      });
    });
    return () => {
      disposed = true;
      player.current?.dispose();
      player.current = undefined;
    };
  }, [classId, userId, recording]);

  if (error) return <p className={styles.recordings}>{error}</p>;
  if (!data) return null;
  return (
    <section className={styles.recordings} aria-labelledby="recordings-title">
      <h2 id="recordings-title">Terminal recordings</h2>
      {data.recordings.length === 0 ? (
        <p>{data.recording ? 'Nothing recorded yet: terminals are recorded from when they open.' : 'This class does not record its learners’ terminals (turn it on in the gradebook).'}</p>
      ) : (
        <>
          <ul aria-label="Recorded terminals">
            {data.recordings.map((r) => (
              <li key={r.id}>
                <button type="button" aria-pressed={r.id === selected} onClick={() => setSelected(r.id)}>
                  Terminal {r.terminal}, {new Date(r.startedAt).toLocaleString()} ({clock(r.duration)}
                  {r.capped ? ', stopped at the cap' : ''})
                </button>
              </li>
            ))}
          </ul>
          <div ref={container} className={styles.player} data-testid="recording-player" />
          {recording && recording.markers.length > 0 && (
            <ol aria-label="Check results in this recording">
              {recording.markers.map(([time, label], i) => (
                <li key={i}>
                  <button type="button" onClick={() => void player.current?.seek({ marker: i })}>
                    {clock(time)}
                  </button>{' '}
                  {label}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
