import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';

/**
 * An instructor announces a class session on the class page, sees it listed, and
 * removes it. No learner machine is needed: the pool reads the demand on its own.
 */
// The first pages render slowly on a busy 2-core machine: more than the 30 s default.
test.describe.configure({ timeout: 120_000 });

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const tag = randomBytes(4).toString('hex');
const email = `teacher-${tag}@example.org`;

// The datetime-local input is the browser's local time; UTC keeps the arithmetic here plain.
test.use({ timezoneId: 'UTC' });

test('an instructor announces a class session and sees it listed', async ({ page }) => {
  await page.goto('/signup?next=/classes');
  await page.getByLabel('Name').fill('teacher');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Classes you are in' })).toBeVisible();
  await run(process.execPath, ['--import', 'tsx', 'bin/unboxed.ts', 'admin', 'role', '--email', email, '--role', 'instructor'], { cwd: root });

  await page.goto('/classes');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Sessions ${tag}`);
  await page.getByRole('checkbox').first().check();
  await page.getByLabel('Deadline').fill('2030-06-01T17:00');
  await page.getByRole('button', { name: 'Create class' }).click();
  await expect(page.getByRole('heading', { name: `Sessions ${tag}` })).toBeVisible();

  const sessions = page.getByRole('region', { name: 'Class sessions' });
  await expect(sessions).toContainText('started ahead of the start time');
  await expect(sessions).toContainText('No session announced.');
  const start = new Date(Date.now() + 2 * 24 * 60 * 60_000);
  start.setUTCHours(9, 30, 0, 0);
  await sessions.getByLabel('Starts').fill(start.toISOString().slice(0, 16));
  await sessions.getByLabel('Expected learners').fill('12');
  await sessions.getByRole('button', { name: 'Announce' }).click();

  const listed = sessions.getByRole('list', { name: 'Announced sessions' }).getByRole('listitem');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('12 learners');
  await expect(listed.locator('time')).toHaveAttribute('datetime', start.toISOString());
  await page.reload();
  await expect(listed).toHaveCount(1);

  await listed.getByRole('button', { name: 'Remove' }).click();
  await expect(sessions).toContainText('No session announced.');
});
