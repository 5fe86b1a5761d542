import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { loadCourse } from '../../lib/lessons/load.ts';
import { closeAndRemoveMachines, unboxed } from './operator.ts';

/**
 * A class from start to export, on real learner machines: an admin (made with the
 * CLI) makes a teacher an instructor, the teacher creates a class, two learners join
 * through its link and solve the first lesson in their own terminals, and the
 * gradebook shows it with evidence, re-checks a live machine and exports the CSV.
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
  return context.newPage();
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

function screen(page: Page) {
  return page.locator('.terminal-view:not([hidden]) .xterm-accessibility-tree');
}

async function openLesson(page: Page, slug: string) {
  await page.goto(`/lessons/${slug}`);
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 180_000 });
  // Connected means hydrated: the toggle now shows the stored preference, not the server's default.
  const toggle = page.getByRole('button', { name: 'Screen reader' });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
}

test.afterAll(() => closeAndRemoveMachines(contexts));

test('an instructor grades a class from the learners’ real machines, with evidence, re-check and a CSV export', async ({ browser }) => {
  const { lessons } = await loadCourse(path.join(root, 'content'));
  const [lesson, otherLesson] = lessons;
  const exercises = lesson!.exercises.map((e) => e.id);
  const solution = await readFile(path.join(root, 'content', lesson!.dir, 'solution.sh'), 'utf8');
  const typedSolution = `echo ${Buffer.from(solution).toString('base64')} | base64 -d | bash >/dev/null 2>&1; echo solved-$?`;
  const cell = (page: Page, who: string, exercise: string) => page.locator(`[data-learner="${email(who)}"] [data-exercise="${lesson!.slug}/${exercise}"]`);

  // The first admin comes from the operator's shell; the teacher signs up and is made an instructor.
  expect((await unboxed({ input: `${password}\n` }, 'admin', 'create', '--email', email('admin'), '--name', 'Admin')).stdout).toContain('created admin');
  const teacher = await person(browser);
  await teacher.goto('/signup');
  await signUp(teacher, 'teacher');
  await expect(teacher.getByRole('heading', { name: 'Classes you are in' })).toBeVisible();
  await expect(teacher.getByRole('heading', { name: 'Classes you teach' })).toHaveCount(0);

  const admin = await person(browser);
  await admin.goto('/signin?next=/admin');
  await admin.getByLabel('Email').fill(email('admin'));
  await admin.getByLabel('Password').fill(password);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByLabel(`Role of ${email('teacher')}`).selectOption('instructor');
  await expect(admin.getByRole('status')).toHaveText(`${email('teacher')} is now an instructor`);

  // The instructor creates a class with the first lesson and a deadline.
  await teacher.goto('/classes');
  await teacher.getByRole('textbox', { name: 'Name', exact: true }).fill(`Containers ${tag}`);
  await teacher.getByRole('checkbox', { name: lesson!.title }).check();
  await teacher.getByLabel('Deadline').fill('2030-06-01T17:00');
  await teacher.getByRole('button', { name: 'Create class' }).click();
  await expect(teacher.getByRole('heading', { name: `Containers ${tag}` })).toBeVisible();
  await expect(teacher.getByText('Nobody has joined yet.')).toBeVisible();
  const joinLink = (await teacher.getByTestId('join-link').textContent())!;
  expect(joinLink).toMatch(/\/join\/[A-Z2-9]{4}-[A-Z2-9]{4}$/);

  // Two learners follow the link, create accounts on the way, and join.
  const ann = await person(browser);
  const bob = await person(browser);
  for (const [who, page] of [['ann', ann], ['bob', bob]] as const) {
    await page.goto(joinLink);
    await page.getByRole('link', { name: 'create an account' }).click();
    await signUp(page, who);
    await expect(page).toHaveURL(joinLink);
    await page.getByRole('button', { name: 'Join' }).click();
    await expect(page.getByRole('status')).toContainText(`You joined Containers ${tag}.`);
  }

  // Ann types the solution into her terminal; the checks tick from her machine's state.
  await openLesson(ann, lesson!.slug);
  await typeInTerminal(ann, `touch /root/ann-was-here; ${typedSolution}`);
  await expect(screen(ann)).toContainText('solved-0', { timeout: 60_000 });
  for (const id of exercises) await expect(ann.locator(`[data-exercise="${id}"] [data-check-status]`)).toHaveAttribute('data-check-status', 'passed', { timeout: 60_000 });

  // Bob clicks Check before doing anything, finds his machine is his own (Ann's file is not on it),
  // then solves it from another lesson's page, where nothing re-checks this class's lesson.
  await openLesson(bob, lesson!.slug);
  const first = bob.locator(`[data-exercise="${exercises[0]}"]`);
  await expect(first.locator('[data-check-status]')).toHaveAttribute('data-check-status', 'failed', { timeout: 60_000 });
  await first.getByRole('button', { name: 'Check' }).click();
  await typeInTerminal(bob, 'ls /root/ann-was-here; echo listed-$?');
  await expect(screen(bob)).toContainText(/No such file or directory[\s\S]*listed-2/);
  await openLesson(bob, otherLesson!.slug);
  await typeInTerminal(bob, typedSolution);
  await expect(screen(bob)).toContainText('solved-0', { timeout: 60_000 });

  // The gradebook: Ann passed everything; Bob has tried and not passed yet.
  await teacher.getByRole('button', { name: 'Refresh' }).click();
  for (const id of exercises) await expect(cell(teacher, 'ann', id)).toHaveAttribute('data-status', 'passed');
  await expect(teacher.locator(`[data-learner="${email('ann')}"]`)).toContainText(`${exercises.length} / ${exercises.length}`);
  await expect(cell(teacher, 'bob', exercises[0]!)).toHaveAttribute('data-status', 'failed');
  // One attempt: his Check. Opening the page and an `ls` that changed nothing the check reads are not tries.
  await expect(cell(teacher, 'bob', exercises[0]!)).toHaveAttribute('title', /: not yet; 1 attempt$/);
  await expect(teacher.getByRole('heading', { name: 'Where learners get stuck' })).toBeVisible();
  await expect(teacher.locator(`[data-summary="${lesson!.slug}/${exercises[0]}"]`)).toContainText('50%');

  // Ann's evidence keeps what her command changed on the machine when her checks passed.
  await teacher.getByRole('link', { name: 'ann', exact: true }).click();
  const annCommand = teacher.getByRole('region', { name: `What the learner's command did for ${lesson!.exercises[0]!.title}` });
  await expect(annCommand.getByRole('region', { name: 'containers' })).toContainText('from-curl');
  await teacher.goBack();

  // Bob's evidence: what the check found, expected against found; re-check runs it on his live machine.
  await teacher.getByRole('link', { name: 'bob', exact: true }).click();
  await expect(teacher.getByRole('heading', { name: 'bob' })).toBeVisible();
  await expect(teacher.locator('[data-machine]')).toHaveAttribute('data-machine', 'running');
  const evidence = teacher.locator(`[data-exercise="${lesson!.slug}/${exercises[0]}"]`);
  await expect(evidence).toHaveAttribute('data-status', 'failed');
  const found = evidence.getByRole('table', { name: /What the check found/ });
  await expect(found.getByRole('columnheader')).toHaveText(['Assertion', 'Expected', 'Found']);
  await expect(found.locator('tbody tr[data-pass="false"]').first()).toBeVisible();
  await teacher.getByRole('button', { name: 'Re-check now' }).click();
  await expect(teacher.getByRole('status')).toContainText("Checked on the learner's machine", { timeout: 60_000 });
  for (const id of exercises) await expect(teacher.locator(`[data-exercise="${lesson!.slug}/${id}"]`)).toHaveAttribute('data-status', 'passed');
  await expect(found.locator('tbody tr').first()).toHaveAttribute('data-pass', 'true');

  // Back on the grid both learners passed everything, and the CSV has one row per learner and exercise.
  await teacher.goBack();
  await teacher.getByRole('button', { name: 'Refresh' }).click();
  for (const who of ['ann', 'bob']) for (const id of exercises) await expect(cell(teacher, who, id)).toHaveAttribute('data-status', 'passed');
  const download = teacher.waitForEvent('download');
  await teacher.getByRole('link', { name: 'CSV' }).click();
  const csv = await readFile((await (await download).path())!, 'utf8');
  const [header, ...rows] = csv.trimEnd().split('\r\n');
  expect(header).toBe('class_id,class_name,learner_id,learner_name,learner_email,joined_at,lesson,exercise,exercise_title,status,attempts,first_passed_at,last_checked_at,on_time');
  expect(rows).toHaveLength(2 * exercises.length);
  for (const who of ['ann', 'bob']) {
    const mine = rows.filter((r) => r.includes(`,${email(who)},`));
    expect(mine.map((r) => r.split(',')[7])).toEqual(exercises);
    // An id that starts with "-" is written as '- (the export's guard against spreadsheet formulas).
    for (const r of mine) expect(r).toMatch(new RegExp(`^'?[\\w-]+,Containers ${tag},'?[\\w-]+,${who},${email(who)},[^,]+,${lesson!.slug},[^,]+,.*,passed,[1-9]\\d*,20\\d\\d-[^,]+,20\\d\\d-[^,]+,true$`));
  }
});
