import type { Assertion } from '../checks/outcome.ts';
import type { ResultStore } from '../checks/store.ts';
import type { CellStatus, GradebookLesson } from './gradebook.ts';
import type { ClassInfo, ClassMember } from './store.ts';

export interface ExerciseEvidence {
  readonly id: string;
  readonly title: string;
  readonly status: CellStatus;
  readonly attempts: number;
  readonly firstPassedAt: string | null;
  readonly lastCheckedAt: string | null;
  readonly onTime: boolean | null;
  /** What the check found: the passing run's for a passed exercise, else the last run's. */
  readonly assertions: readonly Assertion[];
  /** Why the check itself failed, for a broken check. */
  readonly reason: string | null;
}

/** One learner of a class, with the evidence behind each of their results. */
export interface LearnerReport {
  readonly class: { readonly id: string; readonly name: string; readonly deadline: string };
  readonly learner: { readonly userId: string; readonly name: string; readonly email: string; readonly joinedAt: string };
  readonly lessons: ReadonlyArray<{ readonly slug: string; readonly title: string; readonly exercises: readonly ExerciseEvidence[] }>;
}

export async function learnerReport(results: ResultStore, info: ClassInfo, member: ClassMember, courseLessons: readonly GradebookLesson[]): Promise<LearnerReport> {
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
          exercises: lesson.exercises.map((exercise): ExerciseEvidence => {
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
            };
          }),
        };
      }),
    ),
  };
}
