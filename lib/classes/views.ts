import { z } from 'zod';
import { Assertion } from '../checks/outcome.ts';

/**
 * The JSON the accounts and classes API sends, as zod schemas: the server's responses
 * are checked against them at compile time (`satisfies z.input<…>`), and the pages
 * parse what they receive with them.
 */
const time = z.string();
const count = z.int().nonnegative();

export const AccountView = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(['learner', 'instructor', 'admin']) });
export type AccountView = z.infer<typeof AccountView>;
export const MeResponse = z.object({ account: AccountView.nullable() });
export const UsersResponse = z.object({ users: z.array(AccountView.extend({ createdAt: time })).readonly() });

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
export const JoinResponse = z.object({ class: z.object({ id: z.string(), name: z.string(), deadline: time }), alreadyMember: z.boolean() });
export const CodeResponse = z.object({ joinCode: z.string(), joinPath: z.string() });

/** An announced class session: learner machines are warm around its start (lib/classes/sessions.ts). */
export const ClassSessionView = z.object({ id: z.string(), startsAt: time, expectedLearners: count });
export type ClassSessionView = z.infer<typeof ClassSessionView>;
export const ClassSessionsResponse = z.object({ sessions: z.array(ClassSessionView).readonly() });
export const ClassSessionCreated = z.object({ session: ClassSessionView });

export const CellStatus = z.enum(['passed', 'failed', 'error', 'not-started']);
export type CellStatus = z.infer<typeof CellStatus>;
const Column = z.object({ lesson: z.string(), lessonTitle: z.string(), exercise: z.string(), exerciseTitle: z.string() });
const Cell = z.object({ status: CellStatus, attempts: count, firstPassedAt: time.nullable(), lastCheckedAt: time.nullable(), onTime: z.boolean().nullable() });
const Summary = Column.extend({ passed: count, stuck: count, notStarted: count, attempts: count, stuckAttempts: count, completion: z.number().min(0).max(1) });
export const GradebookView = z.object({
  class: z.object({ id: z.string(), name: z.string(), deadline: time, instructor: z.string() }),
  columns: z.array(Column).readonly(),
  learners: z
    .array(z.object({ userId: z.string(), name: z.string(), email: z.string(), joinedAt: time, passed: count, cells: z.array(Cell).readonly() }))
    .readonly(),
  summary: z.array(Summary).readonly(),
  stuck: z.array(Summary).readonly(),
  missingLessons: z.array(z.string()).readonly(),
});
export type GradebookView = z.infer<typeof GradebookView>;
export const GradebookResponse = z.object({ class: ClassView, gradebook: GradebookView });

export const EvidenceView = z.object({
  id: z.string(),
  title: z.string(),
  status: CellStatus,
  attempts: count,
  firstPassedAt: time.nullable(),
  lastCheckedAt: time.nullable(),
  onTime: z.boolean().nullable(),
  assertions: z.array(Assertion).readonly(),
  reason: z.string().nullable(),
});
export type EvidenceView = z.infer<typeof EvidenceView>;
export const LearnerReportResponse = z.object({
  report: z.object({
    class: z.object({ id: z.string(), name: z.string(), deadline: time }),
    learner: z.object({ userId: z.string(), name: z.string(), email: z.string(), joinedAt: time }),
    lessons: z.array(z.object({ slug: z.string(), title: z.string(), exercises: z.array(EvidenceView).readonly() })).readonly(),
  }),
  machine: z.enum(['running', 'none']),
});
export type LearnerReportResponse = z.infer<typeof LearnerReportResponse>;
