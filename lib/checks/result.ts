import { z } from 'zod';
import { CommandEvidence } from '../changes/schema.ts';
import { Assertion } from './outcome.ts';

/** One exercise's standing for a learner, as the lesson page shows it. */
export const ExerciseResult = z.strictObject({
  exercise: z.string(),
  status: z.enum(['passed', 'failed', 'error']),
  attempts: z.int().nonnegative(),
  /** When it first passed; a passed exercise stays passed. */
  passedAt: z.iso.datetime().optional(),
  checkedAt: z.iso.datetime(),
  assertions: z.array(Assertion),
  /** For a check error: why there is no verdict (a broken check, or a run tampered with). */
  reason: z.string().optional(),
  /** For a pass right after a learner's command: that command and what it changed on the machine. */
  command: CommandEvidence.optional(),
});
export type ExerciseResult = z.infer<typeof ExerciseResult>;
