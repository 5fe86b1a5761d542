import { z } from 'zod';
import type { LearnerResult, ResultStore } from '../checks/store.ts';
import { ExerciseResult } from '../checks/result.ts';
import type { ClassInfo, ClassMember } from './store.ts';

// The gradebook as the API sends it and the instructor's pages parse it. Client
// components import this file: its imports other than zod and zod-only modules stay `import type`.

const time = z.string();
const count = z.int().nonnegative();

/** A lesson of the class as the course has it now. */
export interface GradebookLesson {
  readonly slug: string;
  readonly title: string;
  readonly exercises: ReadonlyArray<{ readonly id: string; readonly title: string }>;
}

export const CellStatus = z.enum([...ExerciseResult.shape.status.options, 'not-started']);
export type CellStatus = z.infer<typeof CellStatus>;

/** One exercise: a column of the grid. */
export const Column = z.object({ lesson: z.string(), lessonTitle: z.string(), exercise: z.string(), exerciseTitle: z.string() });
export type Column = z.infer<typeof Column>;

/** One learner on one exercise. */
export const Cell = z.object({
  status: CellStatus,
  /** The learner's tries: Checks they pressed, and commands after which the check found something new (lib/checks/store.ts). */
  attempts: count,
  firstPassedAt: time.nullable(),
  lastCheckedAt: time.nullable(),
  /** Passed by the deadline; null while not passed. */
  onTime: z.boolean().nullable(),
});
export type Cell = z.infer<typeof Cell>;

/** A member of the class, as the gradebook and the learner's report name them. */
export const LearnerView = z.object({ userId: z.string(), name: z.string(), email: z.string(), joinedAt: time });
export type LearnerView = z.infer<typeof LearnerView>;

export const GradebookLearner = LearnerView.extend({
  passed: count,
  /** In column order. */
  cells: z.array(Cell).readonly(),
});
export type GradebookLearner = z.infer<typeof GradebookLearner>;

export const ExerciseSummary = Column.extend({
  passed: count,
  /** Tried and not passed. */
  stuck: count,
  /** Not passed and not tried: no result yet, or only the platform's own looks. */
  notStarted: count,
  /** Attempts of every learner. */
  attempts: count,
  /** Attempts of the learners who have not passed it. */
  stuckAttempts: count,
  /** passed / learners, 0 when the class is empty. */
  completion: z.number().min(0).max(1),
});
export type ExerciseSummary = z.infer<typeof ExerciseSummary>;

export const GradebookView = z.object({
  class: z.object({ id: z.string(), name: z.string(), deadline: time, instructor: z.string() }),
  columns: z.array(Column).readonly(),
  learners: z.array(GradebookLearner).readonly(),
  summary: z.array(ExerciseSummary).readonly(),
  /** Where learners get stuck: exercises tried and not passed, most stuck learners first, then most attempts. */
  stuck: z.array(ExerciseSummary).readonly(),
  /** Lessons of the class that the course no longer has. */
  missingLessons: z.array(z.string()).readonly(),
});
export type GradebookView = z.infer<typeof GradebookView>;

const NOT_STARTED: Cell = { status: 'not-started', attempts: 0, firstPassedAt: null, lastCheckedAt: null, onTime: null };

/** The grid, its summary and the stuck list, from the class, its lessons, members and their results. */
export function buildGradebook(info: ClassInfo, courseLessons: readonly GradebookLesson[], members: readonly ClassMember[], results: readonly LearnerResult[]): GradebookView {
  const lessons = info.lessons.flatMap((slug) => courseLessons.filter((l) => l.slug === slug));
  const columns: Column[] = lessons.flatMap((l) => l.exercises.map((e) => ({ lesson: l.slug, lessonTitle: l.title, exercise: e.id, exerciseTitle: e.title })));
  const byKey = new Map(results.map((r) => [`${r.learner}\n${r.lesson}\n${r.exercise}`, r]));
  const learners = members.map((m): GradebookLearner => {
    const cells = columns.map((c): Cell => {
      const r = byKey.get(`${m.learner}\n${c.lesson}\n${c.exercise}`);
      if (!r) return NOT_STARTED;
      return {
        status: r.status,
        attempts: r.attempts,
        firstPassedAt: r.firstPassedAt,
        lastCheckedAt: r.checkedAt,
        onTime: r.firstPassedAt === null ? null : r.firstPassedAt <= info.deadline,
      };
    });
    return { userId: m.userId, name: m.name, email: m.email, joinedAt: m.joinedAt, passed: cells.filter((c) => c.status === 'passed').length, cells };
  });
  const summary = columns.map((column, i): ExerciseSummary => {
    const cells = learners.map((l) => l.cells[i]!);
    const passed = cells.filter((c) => c.status === 'passed').length;
    // Tried: a check the learner asked for, or a command of theirs the check saw (lib/checks/store.ts).
    const stuckCells = cells.filter((c) => c.status !== 'passed' && c.attempts > 0);
    return {
      ...column,
      passed,
      stuck: stuckCells.length,
      notStarted: cells.filter((c) => c.status !== 'passed' && c.attempts === 0).length,
      attempts: cells.reduce((n, c) => n + c.attempts, 0),
      stuckAttempts: stuckCells.reduce((n, c) => n + c.attempts, 0),
      completion: learners.length === 0 ? 0 : passed / learners.length,
    };
  });
  const stuck = summary.filter((s) => s.stuck > 0).sort((a, b) => b.stuck - a.stuck || b.stuckAttempts - a.stuckAttempts || a.passed - b.passed);
  return {
    class: { id: info.id, name: info.name, deadline: info.deadline, instructor: info.instructor.name },
    columns,
    learners,
    summary,
    stuck,
    missingLessons: info.lessons.filter((slug) => !courseLessons.some((l) => l.slug === slug)),
  };
}

/** The class's gradebook from its members' recorded results. */
export async function loadGradebook(results: ResultStore, info: ClassInfo, members: readonly ClassMember[], courseLessons: readonly GradebookLesson[]): Promise<GradebookView> {
  const recorded = await results.resultsOfLearners(
    members.map((m) => m.learner),
    info.lessons,
  );
  return buildGradebook(info, courseLessons, members, recorded);
}
