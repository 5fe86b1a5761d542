import { z } from 'zod';
import { CommandEvidence } from '../changes/schema.ts';
import { Assertion } from '../checks/outcome.ts';
import type { ResultStore } from '../checks/store.ts';
import { CellStatus, LearnerView, type GradebookLesson } from './gradebook.ts';
import type { ClassInfo, ClassMember } from './store.ts';

// A learner's evidence as the API sends it and the instructor's pages parse it. Client
// components import this file: its imports other than zod and zod-only modules stay `import type`.

const time = z.string();

export const EvidenceView = z.object({
  id: z.string(),
  title: z.string(),
  status: CellStatus,
  attempts: z.int().nonnegative(),
  firstPassedAt: time.nullable(),
  lastCheckedAt: time.nullable(),
  onTime: z.boolean().nullable(),
  /** What the check found: the passing run's for a passed exercise, else the last run's. */
  assertions: z.array(Assertion).readonly(),
  /** Why the check itself failed, for a broken check. */
  reason: z.string().nullable(),
  /** For a pass right after a command: that command and what it changed on the machine. */
  command: CommandEvidence.nullable(),
});
export type EvidenceView = z.infer<typeof EvidenceView>;

/** One learner of a class, with the evidence behind each of their results. */
export const LearnerReportView = z.object({
  class: z.object({ id: z.string(), name: z.string(), deadline: time }),
  learner: LearnerView,
  lessons: z.array(z.object({ slug: z.string(), title: z.string(), exercises: z.array(EvidenceView).readonly() })).readonly(),
});
export type LearnerReportView = z.infer<typeof LearnerReportView>;

export async function learnerReport(results: ResultStore, info: ClassInfo, member: ClassMember, courseLessons: readonly GradebookLesson[]): Promise<LearnerReportView> {
  const lessons = info.lessons.flatMap((slug) => courseLessons.filter((l) => l.slug === slug));
  return {
    class: { id: info.id, name: info.name, deadline: info.deadline },
    learner: { userId: member.userId, name: member.name, email: member.email, joinedAt: member.joinedAt },
    lessons: await Promise.all(
      lessons.map(async (lesson) => {
        const recorded = await results.lesson(member.learner, lesson.slug);
        return {
          slug: lesson.slug,
          title: lesson.title,
          exercises: lesson.exercises.map((exercise): EvidenceView => {
            const r = recorded.find((x) => x.exercise === exercise.id);
            const firstPassedAt = r?.passedAt ?? null;
            return {
              id: exercise.id,
              title: exercise.title,
              status: r?.status ?? 'not-started',
              attempts: r?.attempts ?? 0,
              firstPassedAt,
              lastCheckedAt: r?.checkedAt ?? null,
              onTime: firstPassedAt === null ? null : firstPassedAt <= info.deadline,
              assertions: r?.assertions ?? [],
              reason: r?.reason ?? null,
              command: r?.command ?? null,
            };
          }),
        };
      }),
    ),
  };
}
