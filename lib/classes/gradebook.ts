import type { Db } from '../db/index.ts';
import type { CheckStatus } from '../db/schema.ts';
import type { ClassInfo, ClassMember } from './store.ts';

/** A lesson of the class as the course has it now. */
export interface GradebookLesson {
  readonly slug: string;
  readonly title: string;
  readonly exercises: ReadonlyArray<{ readonly id: string; readonly title: string }>;
}

/** One exercise: a column of the grid. */
export interface Column {
  readonly lesson: string;
  readonly lessonTitle: string;
  readonly exercise: string;
  readonly exerciseTitle: string;
}

export type CellStatus = CheckStatus | 'not-started';

/** One learner on one exercise. */
export interface Cell {
  readonly status: CellStatus;
  /** Check runs recorded (live after each command, Check button, re-check). */
  readonly attempts: number;
  readonly firstPassedAt: string | null;
  readonly lastCheckedAt: string | null;
  /** Passed by the deadline; null while not passed. */
  readonly onTime: boolean | null;
}

export interface GradebookLearner {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly joinedAt: string;
  readonly passed: number;
  /** In column order. */
  readonly cells: readonly Cell[];
}

export interface ExerciseSummary extends Column {
  readonly passed: number;
  /** Tried and not passed. */
  readonly stuck: number;
  readonly notStarted: number;
  /** Attempts of every learner. */
  readonly attempts: number;
  /** Attempts of the learners who have not passed it. */
  readonly stuckAttempts: number;
  /** passed / learners, 0 when the class is empty. */
  readonly completion: number;
}

export interface Gradebook {
  readonly class: { readonly id: string; readonly name: string; readonly deadline: string; readonly instructor: string };
  readonly columns: readonly Column[];
  readonly learners: readonly GradebookLearner[];
  readonly summary: readonly ExerciseSummary[];
  /** Where learners get stuck: exercises tried and not passed, most stuck learners first, then most attempts. */
  readonly stuck: readonly ExerciseSummary[];
  /** Lessons of the class that the course no longer has. */
  readonly missingLessons: readonly string[];
}

export interface ResultRow {
  readonly learner: string;
  readonly lesson: string;
  readonly exercise: string;
  readonly status: CheckStatus;
  readonly attempts: number;
  readonly first_passed_at: string | null;
  readonly checked_at: string;
}

const NOT_STARTED: Cell = { status: 'not-started', attempts: 0, firstPassedAt: null, lastCheckedAt: null, onTime: null };

/** The grid, its summary and the stuck list, from the class, its lessons, members and their results. */
export function buildGradebook(info: ClassInfo, courseLessons: readonly GradebookLesson[], members: readonly ClassMember[], results: readonly ResultRow[]): Gradebook {
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
        firstPassedAt: r.first_passed_at,
        lastCheckedAt: r.checked_at,
        onTime: r.first_passed_at === null ? null : r.first_passed_at <= info.deadline,
      };
    });
    return { userId: m.userId, name: m.name, email: m.email, joinedAt: m.joinedAt, passed: cells.filter((c) => c.status === 'passed').length, cells };
  });
  const summary = columns.map((column, i): ExerciseSummary => {
    const cells = learners.map((l) => l.cells[i]!);
    const passed = cells.filter((c) => c.status === 'passed').length;
    const stuckCells = cells.filter((c) => c.status === 'failed' || c.status === 'error');
    return {
      ...column,
      passed,
      stuck: stuckCells.length,
      notStarted: cells.filter((c) => c.status === 'not-started').length,
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

/** The class's gradebook from the database. */
export async function loadGradebook(db: Db, info: ClassInfo, members: readonly ClassMember[], courseLessons: readonly GradebookLesson[]): Promise<Gradebook> {
  const results =
    members.length === 0 || info.lessons.length === 0
      ? []
      : await db
          .selectFrom('exercise_results')
          .select(['learner', 'lesson', 'exercise', 'status', 'attempts', 'first_passed_at', 'checked_at'])
          .where(
            'learner',
            'in',
            members.map((m) => m.learner),
          )
          .where('lesson', 'in', [...info.lessons])
          .execute();
  return buildGradebook(info, courseLessons, members, results);
}
