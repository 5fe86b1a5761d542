import { z } from 'zod';

// Recordings as the API sends them and the pages parse them. Client components import
// this file: it imports zod only.

/** Most bytes one learner's recordings may take in one class (lib/recordings/recorder.ts). */
export const RECORDING_CAP_BYTES = 20 * 1024 * 1024;

/** A check result on a recording's timeline: seconds from its start, and what happened. */
export const RecordingMarker = z.tuple([z.number().nonnegative(), z.string()]);

export const RecordingView = z.object({
  id: z.string(),
  terminal: z.string(),
  startedAt: z.string(),
  cols: z.int().positive(),
  rows: z.int().positive(),
  bytes: z.int().nonnegative(),
  duration: z.number().nonnegative(),
  /** The learner's cap ended it early (its last event is a marker saying so). */
  capped: z.boolean(),
  /** The learner's tries and passes while it ran, in time order. */
  markers: z.array(RecordingMarker).readonly(),
});
export type RecordingView = z.infer<typeof RecordingView>;

export const RecordingsResponse = z.object({ recording: z.boolean(), recordings: z.array(RecordingView).readonly() });

export const ClassRecordingRequest = z.strictObject({ on: z.boolean().describe('Record the terminals of the class\'s learners from now on') });
export const ClassRecordingResponse = z.object({ recording: z.boolean() });

/** The classes that record the signed-in learner's terminals: what the lesson page tells them. */
export const MyRecordingResponse = z.object({ classes: z.array(z.object({ id: z.string(), name: z.string() })).readonly() });
export type MyRecordingResponse = z.infer<typeof MyRecordingResponse>;
