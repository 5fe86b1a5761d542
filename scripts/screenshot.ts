/**
 * Regenerates docs/screenshot.png for the README: lesson 1 at 1280px, the learner having
 * created a container through the API in the terminal and the exercise ticked. Start the
 * server first (`npm start`); pass its URL if not :3000.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/lessons/client-and-daemon`);
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 120_000 });
  // Let the shell print its prompt before typing, as a person would.
  await page.waitForTimeout(2000);
  await page.locator('.xterm-helper-textarea').first().focus();
  await page.keyboard.type(
    `curl -s --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -d '{"Image": "busybox", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl' | jq .`,
  );
  await page.keyboard.press('Enter');
  const card = page.locator('[data-exercise="create-through-api"]');
  await card.locator('[data-check-status="passed"]').waitFor({ timeout: 60_000 });
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshot.png' });
  console.log('wrote docs/screenshot.png');
} finally {
  await browser.close();
}
