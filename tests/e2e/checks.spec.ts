import { expect, test, type Page } from '@playwright/test';

/** Live verification on a real learner machine: ticks follow the machine's state. */
test.describe.configure({ timeout: 180_000 });

async function type(page: Page, text: string) {
  await page.locator('.terminal-view:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

const api = `curl -s --unix-socket /var/run/docker.sock -H 'Content-Type: application/json'`;

test('an exercise turns green from the terminal alone; a wrong attempt shows the failing assertion and its hint', async ({ page }) => {
  await page.goto('/lessons/client-and-daemon');
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 120_000 });
  const card = page.locator('[data-exercise="create-through-api"]');
  await expect(card.locator('[data-check-status]')).toHaveAttribute('data-check-status', 'failed', { timeout: 30_000 });

  await type(page, `${api} -d '{"Image": "debian", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl'`);
  const found = card.getByRole('list', { name: 'What the check found' });
  await expect(found).toContainText('from-curl is made from busybox: expected matches /^busybox(:latest)?$/, found debian', { timeout: 30_000 });
  await expect(found).toContainText('Hint: Put "Image": "busybox" in the JSON body');
  await expect(card.getByRole('status')).toHaveText('Not yet');

  await type(page, `docker rm -f from-curl >/dev/null; ${api} -d '{"Image": "busybox", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl'`);
  await expect(card.locator('[data-check-status]')).toHaveAttribute('data-check-status', 'passed', { timeout: 30_000 });
  await expect(card.getByRole('status')).toContainText('Passed ✓');
  // The next exercise is still open, and the Check button runs it on demand.
  const next = page.locator('[data-exercise="start-through-api"]');
  await next.getByRole('button', { name: 'Check' }).click();
  await expect(next.getByRole('list', { name: 'What the check found' })).toContainText('from-curl is running: expected from-curl is running, found created');

  // The catalog shows the recorded progress.
  await page.goto('/');
  await expect(page.locator('[data-lesson="client-and-daemon"]')).toContainText('1 / 5 exercises');
  await expect(page.locator('[data-lesson="containers-are-files"]')).toContainText('0 / 9 exercises');
});
