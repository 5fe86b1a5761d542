import { expect, test, type Page } from '@playwright/test';

/**
 * The terminal against a real learner machine. The screen is read through xterm's
 * screen reader mode (an accessible DOM copy of the rows), as a screen reader would.
 */
test.describe.configure({ timeout: 180_000 });

function screen(page: Page) {
  return page.locator('.terminal-view:not([hidden]) .xterm-accessibility-tree');
}

async function openLesson(page: Page) {
  await page.goto('/lessons/client-and-daemon');
  const toggle = page.getByRole('button', { name: 'Screen reader' });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 120_000 });
}

async function type(page: Page, text: string) {
  await page.locator('.terminal-view:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Runs a command that prints `marker=<value>` and returns the value. */
async function ask(page: Page, command: string, marker: string): Promise<string> {
  await type(page, command);
  const line = screen(page).getByText(new RegExp(`^${marker}=\\S+`)).last();
  await expect(line).toBeVisible({ timeout: 30_000 });
  return (await line.textContent())!.trim().slice(marker.length + 1);
}

test('a command typed in the terminal runs on the learner machine', async ({ page }) => {
  // Under the Content-Security-Policy the server sends: xterm.js, its WebGL renderer and the WebSocket are not refused.
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) refused.push(message.text());
  });
  await openLesson(page);
  await type(page, 'echo "answer=$((6*7))"; docker info --format "engine={{.ServerVersion}}"');
  await expect(screen(page)).toContainText('answer=42');
  await expect(screen(page)).toContainText(/engine=20\.10/);
  // The learner is told how long the machine is kept; the e2e server runs with the default
  // limits (sandbox/driver.ts: idle 30 min).
  const lifetime = page.getByRole('note', { name: 'Machine lifetime' });
  await expect(lifetime).toContainText(/kept until .+ \((\d+ h|\d+ min)/);
  await expect(lifetime).toContainText('Unused for 30 min, it sleeps and wakes with your files.');
  expect(refused).toEqual([]);
});

test('a reload in the middle of a command keeps the same shell and its output', async ({ page }) => {
  await openLesson(page);
  const pid = await ask(page, 'echo "shell=$$"', 'shell');
  await type(page, 'sleep 8; echo "done=$$"');
  await page.waitForTimeout(1500);
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 60_000 });
  await expect(screen(page).getByText(`done=${pid}`)).toBeVisible({ timeout: 30_000 });
  // The scrollback came back too.
  await expect(screen(page)).toContainText(`shell=${pid}`);
});

test('Ctrl-C stops a flood of output, and the shell answers at once after it', async ({ page }) => {
  await openLesson(page);
  await type(page, 'yes flood-line');
  await expect(screen(page)).toContainText('flood-line', { timeout: 30_000 });
  await page.waitForTimeout(1000);
  await page.keyboard.press('Control+C');
  await type(page, 'echo "after=$((6*7))"');
  // Flow control bounds what is still on its way to the page: the answer is seconds away, not a flood's worth.
  await expect(screen(page).getByText('after=42')).toBeVisible({ timeout: 15_000 });
});

test('a second terminal is another shell on the same machine', async ({ page }) => {
  await openLesson(page);
  const first = await ask(page, 'echo "shell=$$ host=$(hostname)"', 'shell');
  await page.getByRole('button', { name: 'New terminal' }).click();
  await expect(page.getByRole('tab', { name: 'Terminal 2' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 60_000 });
  const second = await ask(page, 'echo "shell=$$ host=$(hostname)"', 'shell');
  expect(second.split(' ')[0]).not.toBe(first.split(' ')[0]);
  expect(second.split(' ')[1]).toBe(first.split(' ')[1]);
  await page.getByRole('tab', { name: 'Terminal 1' }).click();
  await expect(screen(page)).toContainText(`shell=${first}`);
});

test('a <Run> command goes to the active terminal', async ({ page }) => {
  await openLesson(page);
  const run = page.getByRole('button', { name: 'Run in terminal: ls -l /var/run/docker.sock' });
  await run.click();
  await expect(run).toHaveText('Sent ✓');
  await expect(screen(page)).toContainText(/srw-rw---- 1 root docker .* \/var\/run\/docker\.sock/);
});

test("another learner's browser gets its own machine, never this one's shell", async ({ page, browser }) => {
  await openLesson(page);
  await type(page, 'export SECRET=mine; echo "host=$(hostname)"');
  const mine = await screen(page).getByText(/^host=\S+/).last().textContent();

  const other = await browser.newContext();
  const theirs = await other.newPage();
  try {
    const list = await (await theirs.request.get('/api/terminals')).json();
    expect(list).toEqual({ terminals: [] });
    await openLesson(theirs);
    const answer = await ask(theirs, 'echo "peek=${SECRET:-none}@$(hostname)"', 'peek');
    expect(answer.startsWith('none@')).toBe(true);
    expect(`host=${answer.slice('none@'.length)}`).not.toBe(mine?.trim());
  } finally {
    await other.close();
  }
});
