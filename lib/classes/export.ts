import type { GradebookView } from './gradebook.ts';

/**
 * The gradebook's export: one row per learner and exercise, the same columns in CSV
 * and JSON, in this order (documented in docs/gradebook.md; add columns only at the end).
 */
export const EXPORT_COLUMNS = [
  'class_id',
  'class_name',
  'learner_id',
  'learner_name',
  'learner_email',
  'joined_at',
  'lesson',
  'exercise',
  'exercise_title',
  'status',
  'attempts',
  'first_passed_at',
  'last_checked_at',
  'on_time',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = { readonly [K in ExportColumn]: string | number | boolean | null };

export function exportRows(gradebook: GradebookView): ExportRow[] {
  return gradebook.learners.flatMap((learner) =>
    gradebook.columns.map((column, i) => {
      const cell = learner.cells[i]!;
      return {
        class_id: gradebook.class.id,
        class_name: gradebook.class.name,
        learner_id: learner.userId,
        learner_name: learner.name,
        learner_email: learner.email,
        joined_at: learner.joinedAt,
        lesson: column.lesson,
        exercise: column.exercise,
        exercise_title: column.exerciseTitle,
        status: cell.status,
        attempts: cell.attempts,
        first_passed_at: cell.firstPassedAt,
        last_checked_at: cell.lastCheckedAt,
        on_time: cell.onTime,
      };
    }),
  );
}

/** A learner's recorded terminal in the JSON export (`?recordings=1`): the asciicast v2 file as text. */
export interface ExportedRecording {
  readonly learner_id: string;
  readonly terminal: string;
  readonly started_at: string;
  readonly duration: number;
  readonly bytes: number;
  readonly capped: boolean;
  /** [seconds from the start, what the check found]. */
  readonly markers: ReadonlyArray<readonly [number, string]>;
  readonly asciicast: string;
}

export function gradebookJson(gradebook: GradebookView, exportedAt: Date, recordings?: readonly ExportedRecording[]): string {
  const body = {
    class: gradebook.class,
    exported_at: exportedAt.toISOString(),
    columns: EXPORT_COLUMNS,
    rows: exportRows(gradebook),
    ...(recordings && { recordings }),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

/**
 * RFC 4180 CSV (CRLF, quoted where needed), with a header row, safe to open in a
 * spreadsheet (OWASP's CSV injection guidance): a text cell starting with = + - @, tab or
 * CR gets a leading apostrophe, so it is shown as text, never run as a formula. Every text
 * column, not only names: emails may start with + or -, ids with -. The JSON export keeps
 * values as they are.
 */
export function gradebookCsv(gradebook: GradebookView): string {
  const lines = [EXPORT_COLUMNS.join(','), ...exportRows(gradebook).map((row) => EXPORT_COLUMNS.map((c) => csvField(row[c])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  // Quoted also on a semicolon: spreadsheets in some locales split fields there.
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
