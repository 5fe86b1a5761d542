import { expect, test, type Page } from '@playwright/test';

/**
 * "What changed" beside the terminal, against a real learner machine: a command's effect
 * on the machine appears in the panel, by kind, with the container by name.
 */
test.describe.configure({ timeout: 180_000 });

async function type(page: Page, text: string) {
  await page.locator('.terminal-view:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test('docker run shows its container, processes, mount, cgroup and namespaces in the panel', async ({ page }) => {
  await page.goto('/lessons/client-and-daemon');
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 120_000 });
  const panel = page.getByRole('region', { name: 'What changed' });
  await expect(panel.getByRole('status')).toContainText('Watching your machine', { timeout: 30_000 });

  await type(page, 'docker run -d --name web nginx');
  await expect(panel.getByRole('status')).toContainText('1 container', { timeout: 30_000 });
  // The shell reports the command line with the end of the command (OSC 633;E).
  await expect(panel.getByRole('status')).toContainText('docker run -d --name web nginx');
  await expect(panel.getByRole('region', { name: 'containers' })).toContainText('web (');
  const processes = panel.getByRole('region', { name: 'processes' });
  await expect(processes).toContainText('containerd-shim');
  await expect(processes).toContainText('nginx');
  await expect(panel.getByRole('region', { name: 'mounts' })).toContainText('overlay');
  await expect(panel.getByRole('region', { name: 'cgroups' })).toContainText('web');
  await expect(panel.getByRole('region', { name: 'namespaces' })).toContainText('net:[');

  // Expanding a process shows its command line and parents.
  await processes.getByText(/\d+ nginx$/).first().click();
  await expect(processes).toContainText('parents: ');

  // Paused, the panel keeps what it shows; the next command waits until Resume.
  await panel.getByRole('button', { name: 'Pause' }).click();
  await type(page, 'docker stop -t 1 web');
  await expect(panel.getByRole('button', { name: 'Resume (1 new)' })).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByRole('status')).toContainText('1 container');
  await panel.getByRole('button', { name: /Resume/ }).click();
  await expect(panel.getByRole('region', { name: 'processes' })).toContainText('−');
  await expect(panel.getByRole('list', { name: 'Recent commands' }).getByRole('button')).toHaveText(['docker stop -t 1 web', 'docker run -d --name web nginx', '(start)']);
  // The lesson's <Changes /> shows the same last change set where the text talks about it.
  await expect(page.getByRole('figure', { name: 'What your last command changed' })).toContainText('docker stop -t 1 web');
});

test('on a phone-sized screen the panel fits under the terminal and follows the active terminal', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/lessons/client-and-daemon');
  await expect(page.locator('.workspace')).toHaveAttribute('data-layout', 'stacked');
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 120_000 });
  const panel = page.getByRole('region', { name: 'What changed' });
  await expect(panel.getByRole('status')).toContainText('Watching your machine', { timeout: 30_000 });

  await type(page, 'mkdir /etc/docker/from-terminal-1');
  await expect(panel.getByRole('status')).toContainText('mkdir /etc/docker/from-terminal-1', { timeout: 30_000 });
  await expect(panel.getByRole('region', { name: 'files' })).toContainText('from-terminal-1');
  await expect(panel).toBeInViewport();
  // Nothing in it is wider than the screen: long paths wrap or scroll inside the panel.
  expect(await panel.evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // A second terminal: the panel shows that terminal's commands, and the first one's again on switching back.
  await page.getByRole('button', { name: 'New terminal' }).click();
  await expect(page.getByRole('tab', { name: 'Terminal 2' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 60_000 });
  await type(page, 'mkdir /etc/docker/from-terminal-2');
  await expect(panel.getByRole('status')).toContainText('mkdir /etc/docker/from-terminal-2', { timeout: 30_000 });
  await expect(panel.getByRole('list', { name: 'Recent commands' })).not.toContainText('from-terminal-1');
  await page.getByRole('tab', { name: 'Terminal 1' }).click();
  await expect(panel.getByRole('status')).toContainText('mkdir /etc/docker/from-terminal-1');
});
