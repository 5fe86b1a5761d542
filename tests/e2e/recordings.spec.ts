import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { loadCourse } from '../../lib/lessons/load.ts';
import { closeAndRemoveMachines, unboxed } from './operator.ts';

/**
 * A class that records, on a real learner machine: the instructor turns recording on,
 * the learner is told on joining and in the terminal, solves the first lesson with one
 * command, and the instructor replays that command in the learner's evidence view, the
 * passes marked on the player's timeline. Attempts count that command, not the page's
 * own checks; the grid of every lesson keeps the learner and the totals in view.
 */
test.describe.configure({ timeout: 420_000 });

const root = path.resolve(import.meta.dirname, '../..');
const tag = randomBytes(4).toString('hex');
const password = 'a long enough password';
const email = (who: string) => `${who}-${tag}@example.org`;
const contexts: BrowserContext[] = [];


async function person(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

async function signUp(page: Page, who: string) {
  await page.getByLabel('Name').fill(who);
  await page.getByLabel('Email').fill(email(who));
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function typeInTerminal(page: Page, text: string) {
  await page.locator('.terminal-view:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test.afterAll(() => closeAndRemoveMachines(contexts));

test('a recorded class: the learner is told, and the instructor replays the command that passed, with the passes marked', async ({ browser }) => {
  const { lessons } = await loadCourse(path.join(root, 'content'));
  const lesson = lessons[0]!;
  const solution = await readFile(path.join(root, 'content', lesson.dir, 'solution.sh'), 'utf8');
  const typedSolution = `echo solving-${tag}; echo ${Buffer.from(solution).toString('base64')} | base64 -d | bash >/dev/null 2>&1; echo solved-$?`;

  // An instructor creates a class of every lesson, and turns recording on.
  const teacher = await person(browser);
  await teacher.goto('/signup');
  await signUp(teacher, 'teacher');
  await expect(teacher.getByRole('heading', { name: 'Classes you are in' })).toBeVisible();
  await unboxed('admin', 'role', '--email', email('teacher'), '--role', 'instructor');
  await teacher.goto('/classes');
  await teacher.getByRole('textbox', { name: 'Name', exact: true }).fill(`Recorded ${tag}`);
  for (const l of lessons) await teacher.getByRole('checkbox', { name: l.title }).check();
  await teacher.getByLabel('Deadline').fill('2030-06-01T17:00');
  await teacher.getByRole('button', { name: 'Create class' }).click();
  await expect(teacher.getByRole('heading', { name: `Recorded ${tag}` })).toBeVisible();
  await expect(teacher.getByTestId('recording-setting')).toHaveAttribute('data-recording', 'false');
  await teacher.getByRole('button', { name: 'Record terminals' }).click();
  await expect(teacher.getByTestId('recording-setting')).toHaveAttribute('data-recording', 'true');
  const joinLink = (await teacher.getByTestId('join-link').textContent())!;

  // The learner joins and is told; the terminal says so while it records.
  const ann = await person(browser);
  await ann.goto(joinLink);
  await ann.getByRole('link', { name: 'create an account' }).click();
  await signUp(ann, 'ann');
  await expect(ann).toHaveURL(joinLink);
  await ann.getByRole('button', { name: 'Join' }).click();
  await expect(ann.getByTestId('recording-notice')).toContainText(`Recorded ${tag} records your lesson terminals`);
  await ann.goto(`/lessons/${lesson.slug}`);
  await expect(ann.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 180_000 });
  await expect(ann.getByTestId('terminal-recording')).toHaveText(`● Recorded for Recorded ${tag}`);
  const toggle = ann.getByRole('button', { name: 'Screen reader' });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();

  // A look around that changes nothing, then one command that solves the lesson.
  await typeInTerminal(ann, 'ls /');
  await typeInTerminal(ann, typedSolution);
  await expect(ann.locator('.terminal-view:not([hidden]) .xterm-accessibility-tree')).toContainText('solved-0', { timeout: 60_000 });
  for (const e of lesson.exercises) await expect(ann.locator(`[data-exercise="${e.id}"] [data-check-status]`)).toHaveAttribute('data-check-status', 'passed', { timeout: 60_000 });

  // Attempts: the command that passed each exercise, once; `ls` and the page's own checks are not tries.
  await teacher.getByRole('button', { name: 'Refresh' }).click();
  const row = teacher.locator(`[data-learner="${email('ann')}"]`);
  for (const e of lesson.exercises) await expect(row.locator(`[data-exercise="${lesson.slug}/${e.id}"]`)).toHaveAttribute('title', new RegExp(`: passed; 1 attempt; first passed`));

  // Every lesson's exercises make the grid scroll sideways; the learner and the totals stay in view.
  const grid = teacher.locator('[class*="scroll"]').filter({ has: teacher.getByRole('table', { name: 'Gradebook' }) });
  expect(await grid.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  const middle = row.locator('td[data-exercise]').nth(Math.floor(lessons.flatMap((l) => l.exercises).length / 2));
  await grid.evaluate((el) => (el.scrollLeft = el.scrollWidth / 2));
  await expect(middle).toBeInViewport();
  await expect(row.getByRole('link', { name: 'ann', exact: true })).toBeInViewport();
  await expect(row.getByText(`${lesson.exercises.length} / `)).toBeInViewport();
  await expect(row.locator(`[data-exercise="${lesson.slug}/${lesson.exercises[0]!.id}"]`)).not.toBeInViewport();
  await teacher.screenshot({ path: test.info().outputPath('grid-scrolled.png') });

  // The evidence view replays her terminal: the passes are markers, and jumping to one shows her command.
  await row.getByRole('link', { name: 'ann', exact: true }).click();
  const recordings = teacher.getByRole('region', { name: 'Terminal recordings' });
  await expect(recordings.getByRole('button', { name: /^Terminal 1, / })).toBeVisible();
  const results = recordings.getByRole('list', { name: 'Check results in this recording' });
  for (const e of lesson.exercises) await expect(results).toContainText(`✓ passed: ${e.title}`);
  const player = recordings.getByTestId('recording-player');
  await expect(player.locator('.ap-marker-container')).toHaveCount(lesson.exercises.length);
  await results.getByRole('listitem').filter({ hasText: `✓ passed: ${lesson.exercises[0]!.title}` }).getByRole('button').click();
  await expect(player).toContainText(`solving-${tag}`, { timeout: 30_000 });
  await expect(player).toContainText('solved-0');
  await recordings.screenshot({ path: test.info().outputPath('replay.png') });

  // The JSON export carries the recording on request.
  const download = teacher.waitForEvent('download');
  await teacher.goto(`/classes`);
  await teacher.getByRole('link', { name: `Recorded ${tag}` }).click();
  await teacher.getByRole('link', { name: 'with recordings' }).click();
  const exported = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as { recordings: Array<{ asciicast: string; markers: unknown[] }> };
  expect(exported.recordings.some((r) => r.asciicast.includes(`solving-${tag}`) && r.markers.length >= lesson.exercises.length)).toBe(true);
});
