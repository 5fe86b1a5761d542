import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { closeAndRemoveMachines, unboxed } from './operator.ts';

/**
 * An instructor watches a learner live, on a real learner machine, in two browsers: the
 * learner types and the instructor sees it within a second of the learner; the learner is told who
 * watches; the instructor types only after the learner accepts; another class's
 * instructor is refused at the WebSocket door.
 */
test.describe.configure({ timeout: 300_000 });

const tag = randomBytes(4).toString('hex');
const password = 'a long enough password';
const email = (who: string) => `${who}-${tag}@example.org`;
const contexts: BrowserContext[] = [];


/** A browser of its own, signed up (through the API: the sign-up page is another spec's) as `who`. */
async function person(browser: Browser, who: string, role: 'learner' | 'instructor' = 'learner'): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto('/');
  const origin = new URL(page.url()).origin;
  expect((await page.request.post('/api/auth/signup', { data: { email: email(who), name: `${who}-${tag}`, password }, headers: { origin } })).status()).toBe(201);
  if (role === 'instructor') await unboxed('admin', 'role', '--email', email(who), '--role', 'instructor');
  return page;
}

async function post(page: Page, url: string, data: unknown): Promise<Record<string, unknown>> {
  const response = await page.request.post(url, { data, headers: { origin: new URL(page.url()).origin } });
  expect(response.ok()).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}

async function classWith(teacher: Page, ...learners: Page[]): Promise<string> {
  const { class: info } = (await post(teacher, '/api/classes', { name: `Watched ${tag}`, lessons: ['client-and-daemon'], deadline: '2030-06-01T17:00:00Z' })) as { class: { id: string; joinCode: string } };
  for (const learner of learners) await post(learner, '/api/classes/join', { code: info.joinCode });
  return info.id;
}

function learnerScreen(page: Page) {
  return page.locator('.terminal-view:not([hidden]) .xterm-accessibility-tree');
}

function watchScreen(page: Page) {
  return page.locator('[data-terminal]:not([hidden]) .xterm-accessibility-tree');
}

async function screenReader(page: Page) {
  const toggle = page.getByRole('button', { name: 'Screen reader' });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
}

test.afterAll(() => closeAndRemoveMachines(contexts));

test('an instructor watches a learner live, and types only after the learner accepts', async ({ browser }) => {
  const [ann, teacher, other] = [await person(browser, 'ann'), await person(browser, 'teacher', 'instructor'), await person(browser, 'other', 'instructor')];
  const classId = await classWith(teacher, ann);
  await classWith(other);

  // Ann works in her terminal before anyone watches.
  await ann.goto('/lessons/client-and-daemon');
  await screenReader(ann);
  await expect(ann.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 180_000 });
  const annInput = ann.locator('.terminal-view:not([hidden]) .xterm-helper-textarea');
  await annInput.focus();
  await ann.keyboard.type('echo before-$((6*7))');
  await ann.keyboard.press('Enter');
  await expect(learnerScreen(ann)).toContainText('before-42', { timeout: 30_000 });

  // The teacher opens the watch from the gradebook and sees the scrollback.
  await teacher.goto(`/classes/${classId}`);
  await teacher.getByRole('link', { name: `Watch ann-${tag}'s terminals` }).click();
  await expect(teacher.getByRole('heading', { name: `Watching ann-${tag}` })).toBeVisible();
  await screenReader(teacher);
  await expect(watchScreen(teacher)).toContainText('before-42');
  const annUserId = new URL(teacher.url()).pathname.split('/')[4]!;

  // Ann is told who watches.
  const notice = ann.locator('.terminal-watched');
  await expect(notice).toContainText(`teacher-${tag} is watching your terminals`);

  // Ann's command's output reaches the teacher's screen within a second of reaching hers
  // (her machine's own answer may take longer on a host busy with other suites' VMs).
  await annInput.focus();
  await ann.keyboard.type('echo live-$((40+4))');
  await ann.keyboard.press('Enter');
  await expect(learnerScreen(ann)).toContainText('live-44', { timeout: 30_000 });
  await expect(watchScreen(teacher)).toContainText('live-44', { timeout: 1000 });

  // The teacher cannot type until Ann accepts: keystrokes go nowhere.
  await teacher.locator('[data-terminal]:not([hidden]) .xterm-helper-textarea').focus();
  await teacher.keyboard.type('echo sneaky-$((1+1))');
  await teacher.keyboard.press('Enter');
  await teacher.getByRole('button', { name: 'Ask to type' }).click();
  await expect(teacher.locator('[data-takeover]')).toHaveAttribute('data-takeover', 'asked');
  await expect(notice.getByRole('alert')).toContainText(`teacher-${tag} asks to type in your terminals`);
  await ann.getByRole('button', { name: `Let teacher-${tag} type` }).click();
  await expect(teacher.locator('[data-takeover]')).toHaveAttribute('data-takeover', 'granted');
  await expect(notice.getByRole('alert')).toContainText(`teacher-${tag} can type in your terminals now`);
  await teacher.locator('[data-terminal]:not([hidden]) .xterm-helper-textarea').focus();
  await teacher.keyboard.type('echo helped-$((3*3))');
  await teacher.keyboard.press('Enter');
  await expect(learnerScreen(ann)).toContainText('helped-9', { timeout: 10_000 });
  await teacher.screenshot({ path: test.info().outputPath('watch-view.png') });
  await ann.screenshot({ path: test.info().outputPath('watched-learner.png') });
  expect(await learnerScreen(ann).textContent()).not.toContain('sneaky-2');

  // Ann ends it; the teacher is read-only again.
  await ann.getByRole('button', { name: `Stop teacher-${tag} typing` }).click();
  await expect(teacher.locator('[data-takeover]')).toHaveAttribute('data-takeover', 'none');
  await expect(notice.getByRole('alert')).toHaveCount(0);

  // Another class's instructor is refused at the door (a browser cannot read the status: ask with a plain WebSocket).
  const base = new URL(teacher.url()).origin;
  const cookie = (await other.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const status = await new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/watch/${classId}/${annUserId}`, { headers: { cookie, origin: base } });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => reject(new Error("another class's instructor was let in")));
  });
  expect(status).toBe(403);
  await other.goto(`/classes/${classId}/learners/${annUserId}/watch`);
  await expect(other.getByRole('status')).toContainText('You cannot watch this learner');
  await expect(notice).not.toContainText(`other-${tag}`);

  // The teacher leaves: Ann is told the watch stopped.
  await teacher.goto(`/classes/${classId}`);
  await expect(notice).toContainText(`teacher-${tag} stopped watching your terminals`);
});
