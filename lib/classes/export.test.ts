import { expect, it } from 'vitest';
import { EXPORT_COLUMNS, gradebookCsv, gradebookJson } from './export.ts';
import { buildGradebook } from './gradebook.ts';

const info = {
  id: 'c1',
  name: '=HYPERLINK("http://x")',
  instructor: { id: 't', name: 'T', email: 't@example.org' },
  deadline: '2026-12-01T00:00:00.000Z',
  joinCode: 'ABCDEFGH',
  lessons: ['l'],
  createdAt: '2026-01-01T00:00:00.000Z',
  members: 1,
};
const gradebook = buildGradebook(
  info,
  [{ slug: 'l', title: 'L', exercises: [{ id: 'e', title: 'E, "quoted"\nand multi-line' }] }],
  [{ userId: 'u1', name: '@SUM(A1)', email: 'a@example.org', learner: 'x', joinedAt: '2026-01-02T00:00:00.000Z' }],
  [],
);

it('writes CSV that spreadsheets read as data: quoted fields, no formulas from names', () => {
  const [header, row, end] = gradebookCsv(gradebook).split('\r\n');
  expect(header).toBe(EXPORT_COLUMNS.join(','));
  expect(row).toBe(`c1,"'=HYPERLINK(""http://x"")",u1,'@SUM(A1),a@example.org,2026-01-02T00:00:00.000Z,l,e,"E, ""quoted""\nand multi-line",not-started,0,,,`);
  expect(end).toBe('');
});

it('writes JSON with the same columns, values typed', () => {
  const json = JSON.parse(gradebookJson(gradebook, new Date('2026-01-03T00:00:00.000Z')));
  expect(json.columns).toEqual(EXPORT_COLUMNS);
  expect(json.exported_at).toBe('2026-01-03T00:00:00.000Z');
  expect(Object.keys(json.rows[0])).toEqual(EXPORT_COLUMNS);
  expect(json.rows[0]).toMatchObject({ class_name: '=HYPERLINK("http://x")', status: 'not-started', attempts: 0, first_passed_at: null, on_time: null });
});
