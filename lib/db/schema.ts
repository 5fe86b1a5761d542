import type { Generated } from 'kysely';

/** The database as the typed query layer sees it; rows become domain types in their stores. */
export interface Database {
  exercise_results: ExerciseResultsTable;
}

export interface ExerciseResultsTable {
  learner: string;
  lesson: string;
  exercise: string;
  status: 'passed' | 'failed' | 'error';
  attempts: number;
  /** ISO time of the first pass; never cleared once set. */
  first_passed_at: string | null;
  checked_at: string;
  /** JSON: the assertions of the last check, or the reason a check is broken. */
  evidence: string;
  id: Generated<number>;
}
