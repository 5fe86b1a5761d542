import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { loadCourse } from '../../lib/lessons/load.ts';
import { closeAndRemoveMachines, unboxed } from './operator.ts';

/**
 * Starting over on real learner machines: a learner who solved a lesson resets their
 * machine from the panel under the terminal, then their instructor resets it from the
 * gradebook. Each time the open terminal comes back on a fresh machine (another
 * hostname, the learner's file gone), says who reset it, and the ticks stay.
 */
test.describe.configure({ timeout: 420_000 });

const root = path.resolve(import.meta.dirname, '../..');
const tag = randomBytes(4).toString('hex');
const password = 'a long enough password';
const email = (who: string) => `${who}-${tag}@example.org`;
const contexts: BrowserContext[] = [];

async function person(browser: Browser, who: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto('/signup');
  await page.getByLabel('Name').fill(who);
  await page.getByLabel('Email').fill(email(who));
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Classes you are in' })).toBeVisible();
  return page;
}

function screen(page: Page) {
  return page.locator('.terminal-view:not([hidden]) .xterm-accessibility-tree');
}

async function type(page: Page, text: string) {
  await page.locator('.terminal-view:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

let asked = 0;

/** Prints `expression` in the terminal under a marker of its own and returns what it printed. */
async function ask(page: Page, expression: string, timeout = 60_000): Promise<string> {
  const marker = `answer${++asked}`;
  await type(page, `echo "${marker}=${expression}"`);
  const line = screen(page).getByText(new RegExp(`^${marker}=\\S+`)).last();
  await expect(line).toBeVisible({ timeout });
  return (await line.textContent())!.trim().slice(marker.length + 1);
}

function connected(page: Page) {
  return expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 180_000 });
}

/** `ask` right after a reset: asked again until the terminal, reattaching to the fresh machine, answers. */
async function askAfterReset(page: Page, expression: string): Promise<string> {
  let value = '';
  await expect(async () => {
    await connected(page);
    value = await ask(page, expression, 10_000);
  }).toPass({ timeout: 180_000 });
  return value;
}

test.afterAll(() => closeAndRemoveMachines(contexts));

test('a learner resets their machine, then their instructor does from the gradebook: a fresh machine in the open terminal each time, the ticks kept', async ({ browser }) => {
  const { lessons } = await loadCourse(path.join(root, 'content'));
  const lesson = lessons[0]!;
  const solution = await readFile(path.join(root, 'content', lesson.dir, 'solution.sh'), 'utf8');
  const ticks = () => lesson.exercises.map((e) => expect(ann.locator(`[data-exercise="${e.id}"] [data-check-status]`)).toHaveAttribute('data-check-status', 'passed', { timeout: 60_000 }));

  // A teacher (made an instructor by the operator) creates a class; Ann joins it.
  const teacher = await person(browser, 'teacher');
  await unboxed('admin', 'role', '--email', email('teacher'), '--role', 'instructor');
  await teacher.goto('/classes');
  await teacher.getByRole('textbox', { name: 'Name', exact: true }).fill(`Reset ${tag}`);
  await teacher.getByRole('checkbox', { name: lesson.title }).check();
  await teacher.getByLabel('Deadline').fill('2030-06-01T17:00');
  await teacher.getByRole('button', { name: 'Create class' }).click();
  const joinLink = (await teacher.getByTestId('join-link').textContent())!;
  const ann = await person(browser, 'ann');
  await ann.goto(joinLink);
  await ann.getByRole('button', { name: 'Join' }).click();
  await expect(ann.getByRole('status')).toContainText(`You joined Reset ${tag}.`);

  // Ann solves the lesson and leaves a file of her own.
  await ann.goto(`/lessons/${lesson.slug}`);
  const toggle = ann.getByRole('button', { name: 'Screen reader' });
  await connected(ann);
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await type(ann, `echo ${Buffer.from(solution).toString('base64')} | base64 -d | bash >/dev/null 2>&1; touch /root/ann-was-here`);
  await Promise.all(ticks());
  const first = await ask(ann, '$(hostname)');

  // The machine panel: what she has, for how long, and what happens at the end.
  await ann.getByRole('button', { name: 'Your machine' }).click();
  const panel = ann.getByRole('region', { name: 'Your machine' });
  await expect(panel).toContainText(/Time left\s*\d+ h/);
  await expect(panel).toContainText(/If unused\s*it sleeps in (30|29) min/);
  await expect(panel).toContainText(/Limits\s*[\d.]+ CPUs?, .+ of memory, .+ of disk, \d+ processes/);
  await expect(panel).toContainText('At the end');

  // She resets it herself: asked first, then the same terminal is on a fresh machine.
  await panel.getByRole('button', { name: 'Reset my machine…' }).click();
  await panel.getByRole('group', { name: 'Confirm the reset' }).getByRole('button', { name: 'Reset it' }).click();
  await expect(ann.getByRole('alert').filter({ hasText: 'You reset your machine' })).toBeVisible({ timeout: 60_000 });
  const second = await askAfterReset(ann, '$(hostname)');
  expect(second).not.toBe(first);
  expect(await ask(ann, '$(ls /root/ann-was-here >/dev/null 2>&1; echo $?)')).toBe('2');
  await expect(panel).toContainText(/Last reset\s*.+, by you/);
  await Promise.all(ticks());
  await type(ann, 'touch /root/after-my-reset');

  // The instructor resets it from Ann's evidence in the gradebook; Ann is told it was them.
  await teacher.getByRole('button', { name: 'Refresh' }).click();
  await teacher.getByRole('link', { name: 'ann', exact: true }).click();
  await expect(teacher.locator('[data-machine]')).toHaveAttribute('data-machine', 'running');
  await teacher.getByRole('button', { name: 'Reset machine…' }).click();
  await teacher.getByRole('group', { name: 'Confirm the reset' }).getByRole('button', { name: 'Reset it' }).click();
  await expect(teacher.getByRole('status').filter({ hasText: "ann's machine was reset" })).toBeVisible({ timeout: 120_000 });
  for (const e of lesson.exercises) await expect(teacher.locator(`[data-exercise="${lesson.slug}/${e.id}"]`)).toHaveAttribute('data-status', 'passed');

  await expect(ann.getByRole('alert').filter({ hasText: 'Your instructor teacher reset your machine' })).toBeVisible({ timeout: 60_000 });
  const third = await askAfterReset(ann, '$(hostname)');
  expect(new Set([first, second, third]).size).toBe(3);
  expect(await ask(ann, '$(ls /root/after-my-reset >/dev/null 2>&1; echo $?)')).toBe('2');
  await expect(panel).toContainText(/Last reset\s*.+, by your instructor teacher/);
  // What changed starts from the fresh machine: its first command shows what it did, not the whole machine.
  await type(ann, 'docker create --name after-reset busybox true');
  const changes = ann.getByRole('region', { name: 'What changed' }).getByRole('status');
  await expect(changes).toContainText('docker create --name after-reset busybox true', { timeout: 60_000 });
  await expect(changes).toContainText('1 container');

  // The ticks are the recorded results: a reload shows them from the fresh machine's page too.
  await ann.reload();
  await connected(ann);
  await Promise.all(ticks());
});
