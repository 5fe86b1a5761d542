import { z } from 'zod';
import { GradebookView } from './gradebook.ts';
import { LearnerReportView } from './report.ts';

/**
 * The JSON the classes API sends, as zod schemas: the server's responses are checked
 * against them at compile time (`satisfies z.input<…>`), and the pages parse what they
 * receive with them. The gradebook's shapes live beside it (gradebook.ts, report.ts),
 * the accounts' in lib/auth/views.ts. Client components import this file: its imports
 * stay zod and modules that import only zod (or only types).
 */
const time = z.string();
const count = z.int().nonnegative();

export const ClassView = z.object({
  id: z.string(),
  name: z.string(),
  instructor: z.object({ name: z.string(), email: z.string() }),
  deadline: time,
  lessons: z.array(z.string()).readonly(),
  members: count,
  createdAt: time,
  joinCode: z.string(),
  joinPath: z.string(),
  /** The class records its learners' terminals. */
  recording: z.boolean(),
});
export type ClassView = z.infer<typeof ClassView>;

export const JoinedClassView = z.object({
  id: z.string(),
  name: z.string(),
  instructor: z.string(),
  deadline: time,
  joinedAt: time,
  lessons: z.array(z.object({ slug: z.string(), title: z.string(), exercises: count })).readonly(),
});
export type JoinedClassView = z.infer<typeof JoinedClassView>;
export const ClassesResponse = z.object({ teaching: z.array(ClassView).readonly(), joined: z.array(JoinedClassView).readonly() });
export const ClassCreated = z.object({ class: ClassView });
export const JoinResponse = z.object({ class: z.object({ id: z.string(), name: z.string(), deadline: time, recording: z.boolean() }), alreadyMember: z.boolean() });
export const CodeResponse = z.object({ joinCode: z.string(), joinPath: z.string() });

/** An announced class session: learner machines are warm around its start (lib/classes/sessions.ts). */
export const ClassSessionView = z.object({ id: z.string(), startsAt: time, expectedLearners: count });
export type ClassSessionView = z.infer<typeof ClassSessionView>;
export const ClassSessionsResponse = z.object({ sessions: z.array(ClassSessionView).readonly() });
export const ClassSessionCreated = z.object({ session: ClassSessionView });

export const GradebookResponse = z.object({ class: ClassView, gradebook: GradebookView });

export const LearnerReportResponse = z.object({
  report: LearnerReportView,
  machine: z.enum(['running', 'none']),
});
export type LearnerReportResponse = z.infer<typeof LearnerReportResponse>;
