import type { Generated } from 'kysely';

/** The database as the typed query layer sees it; rows become domain types in their stores. */
export interface Database {
  exercise_results: ExerciseResultsTable;
  check_runs: CheckRunsTable;
  users: UsersTable;
  sessions: SessionsTable;
  classes: ClassesTable;
  class_lessons: ClassLessonsTable;
  class_members: ClassMembersTable;
  class_sessions: ClassSessionsTable;
  recordings: RecordingsTable;
  recording_chunks: RecordingChunksTable;
  learner_activity: LearnerActivityTable;
  fleet_leases: FleetLeasesTable;
}

/** Times are ISO 8601 UTC strings in both dialects, so they sort and compare as text. */
type IsoTime = string;

export type CheckStatus = 'passed' | 'failed' | 'error';

export interface ExerciseResultsTable {
  learner: string;
  lesson: string;
  exercise: string;
  status: CheckStatus;
  attempts: number;
  /** ISO time of the first pass; never cleared once set. */
  first_passed_at: IsoTime | null;
  checked_at: IsoTime;
  /** JSON: the assertions of the last check, or the reason a check is broken. */
  evidence: string;
  id: Generated<number>;
}

export interface CheckRunsTable {
  /** Idempotency key of the run: recording the same key twice counts once. */
  key: string;
  learner: string;
  lesson: string;
  exercise: string;
  status: CheckStatus;
  checked_at: IsoTime;
  /** 1 when the run was one of the learner's tries (lib/checks/store.ts says which), else 0. */
  counted: Generated<number>;
}

export type Role = 'learner' | 'instructor' | 'admin';

export interface UsersTable {
  id: string;
  /** Lower-cased. */
  email: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (see lib/auth/password.ts). */
  password_hash: string;
  role: Role;
  /** The learner id the account's machine and check results are filed under. */
  learner: string;
  created_at: IsoTime;
}

export interface SessionsTable {
  /** sha256 (hex) of the token in the browser's cookie. */
  id: string;
  user_id: string;
  created_at: IsoTime;
  expires_at: IsoTime;
}

export interface ClassesTable {
  id: string;
  name: string;
  instructor_id: string;
  deadline: IsoTime;
  join_code: string;
  created_at: IsoTime;
  /** 1 while the class records its learners' terminals (lib/recordings), else 0. */
  recording: Generated<number>;
}

export interface ClassLessonsTable {
  class_id: string;
  lesson: string;
  position: number;
}

export interface ClassMembersTable {
  class_id: string;
  user_id: string;
  joined_at: IsoTime;
}

export interface ClassSessionsTable {
  id: string;
  class_id: string;
  starts_at: IsoTime;
  /** How many learners the instructor expects: machines to have started by then. */
  expected_learners: number;
  created_at: IsoTime;
}

export interface RecordingsTable {
  id: string;
  class_id: string;
  /** The learner's account. */
  user_id: string;
  /** The terminal's name on the lesson page. */
  terminal: string;
  started_at: IsoTime;
  cols: number;
  rows: number;
  /** Bytes of event lines stored so far (the header not counted). */
  bytes: number;
  /** Seconds from the start to the last event. */
  duration: number;
  /** 1 once the learner's size cap stopped it. */
  capped: number;
}

export interface RecordingChunksTable {
  recording_id: string;
  seq: number;
  /** asciicast v2 event lines, each ending in a newline. */
  events: string;
}

export interface LearnerActivityTable {
  learner: string;
  /** When any app server last saw the learner use their machine (written at most every few seconds). */
  active_at: IsoTime;
  /** When the learner last asked for a machine while having none: the pool grows with arrivals. */
  arrived_at: IsoTime | null;
}

export interface FleetLeasesTable {
  /** What the lease is for: `machines` (the pool and the collector). */
  name: string;
  /** The app server holding it (host, process and a random part). */
  holder: string;
  /** Past this, another server may take it: its holder stopped renewing (it died or hangs). */
  expires_at: IsoTime;
}
