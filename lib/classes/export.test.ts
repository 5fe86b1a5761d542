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
  recording: false,
};
const gradebook = buildGradebook(
  info,
  [{ slug: 'l', title: 'L', exercises: [{ id: 'e', title: 'E, "quoted"\nand multi-line' }] }],
  // An email may start with + or - (the sign-up form accepts +1-1@example.org); ids may start with -.
  [{ userId: '-u1', name: '@SUM(A1)', email: '+1-1@example.org', learner: 'x', joinedAt: '2026-01-02T00:00:00.000Z' }],
  [],
);

it('writes CSV that spreadsheets read as data: quoted fields, no formulas from any text column', () => {
  const [header, row, end] = gradebookCsv(gradebook).split('\r\n');
  expect(header).toBe(EXPORT_COLUMNS.join(','));
  expect(row).toBe(`c1,"'=HYPERLINK(""http://x"")",'-u1,'@SUM(A1),'+1-1@example.org,2026-01-02T00:00:00.000Z,l,e,"E, ""quoted""\nand multi-line",not-started,0,,,`);
  expect(end).toBe('');
});

it('escapes every text column: a cell a spreadsheet reads never starts a formula, and keeps the text after its apostrophe', () => {
  const hostile = ['=1+1', '+1', '-1', '@x', '\tx', '\rx', 'a,b', 'a"b', 'a\nb', 'a;=1+1'];
  const book = buildGradebook(
    { ...info, id: hostile[0]!, name: hostile[1]!, lessons: [hostile[2]!] },
    [{ slug: hostile[2]!, title: 'L', exercises: [{ id: hostile[3]!, title: hostile[4]! }] }],
    hostile.map((text, i) => ({ userId: `${text}${i}`, name: text, email: `${text}@example.org`, learner: `l${i}`, joinedAt: text })),
    [],
  );
  const [header, ...rows] = parseCsv(gradebookCsv(book));
  expect(header).toEqual([...EXPORT_COLUMNS]);
  expect(rows).toHaveLength(hostile.length);
  for (const [i, row] of rows.entries()) {
    expect(row).toHaveLength(EXPORT_COLUMNS.length);
    for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const text = hostile[i]!;
    const shown = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    expect(row[EXPORT_COLUMNS.indexOf('learner_name')]).toBe(shown);
    expect(row[EXPORT_COLUMNS.indexOf('learner_email')]).toBe(`${shown}@example.org`);
    expect(row[EXPORT_COLUMNS.indexOf('joined_at')]).toBe(shown);
  }
  // A field with a semicolon is quoted too: spreadsheets in some locales split on it.
  expect(gradebookCsv(book)).toContain('"a;=1+1"');
});

it('writes JSON with the same columns, values typed', () => {
  const json = JSON.parse(gradebookJson(gradebook, new Date('2026-01-03T00:00:00.000Z')));
  expect(json.columns).toEqual(EXPORT_COLUMNS);
  expect(json.exported_at).toBe('2026-01-03T00:00:00.000Z');
  expect(Object.keys(json.rows[0])).toEqual(EXPORT_COLUMNS);
  expect(json.rows[0]).toMatchObject({ class_name: '=HYPERLINK("http://x")', learner_email: '+1-1@example.org', status: 'not-started', attempts: 0, first_passed_at: null, on_time: null });
});

/** The cells of an RFC 4180 CSV, as a spreadsheet reads them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}
