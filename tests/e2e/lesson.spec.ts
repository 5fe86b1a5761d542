import { expect, test } from '@playwright/test';

test.describe('lesson page', () => {
  test('renders the MDX: exercises, hints, notes, highlighted code, tables and Run commands', async ({ page }) => {
    // Under the Content-Security-Policy the server sends: nothing on the page may be refused by it.
    const refused: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) refused.push(message.text());
    });
    const response = await page.goto('/lessons/client-and-daemon');
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    const lesson = page.locator('article.lesson');

    await expect(lesson.getByRole('heading', { level: 1 })).toHaveText('Docker is a client and a daemon');
    await expect(lesson.getByText('Lesson 1 · 30 min')).toBeVisible();

    const exercise = lesson.locator('[data-exercise="create-through-api"]');
    await expect(exercise.getByRole('heading', { level: 3 })).toHaveText('Create a container through the API');
    await expect(exercise.getByRole('status')).toHaveText('Not checked yet');
    await expect(exercise).toContainText('Create a container named from-curl');
    // Hints stay closed until asked for.
    const hint = exercise.locator('details.hint').first();
    await expect(hint.locator('.hint-body')).toBeHidden();
    await hint.locator('summary').click();
    await expect(hint.locator('.hint-body')).toContainText('POST /containers/create?name=from-curl');

    // A hint written inside the exercise text, with its own title.
    await expect(lesson.locator('[data-exercise="start-through-api"] summary', { hasText: 'Stuck on an error?' })).toBeVisible();

    // GFM table.
    await expect(lesson.getByRole('table').first().getByRole('row')).toHaveCount(6);
    await expect(lesson.getByRole('cell', { name: 'POST /containers/create' })).toBeVisible();

    // Shiki highlighted the fenced code with both themes.
    const code = lesson.locator('pre.shiki', { hasText: '"ApiVersion": "1.41"' });
    await expect(code).toHaveCount(1);
    expect(await code.locator('span[style*="--shiki-dark"]').count()).toBeGreaterThan(3);

    // The diagram is inline SVG in a figure named by its alt text, drawn in the theme's colours.
    const diagram = lesson.getByRole('figure', { name: /^The docker CLI and curl each send HTTP requests/ });
    await expect(diagram.locator('svg')).toBeVisible();
    const socketFill = await diagram.locator('rect[fill="var(--diagram-accent-soft)"]').evaluate((rect) => getComputedStyle(rect).fill);
    const accentSoft = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('span'));
      probe.style.color = 'var(--accent-soft)';
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    expect(socketFill).toBe(accentSoft);

    await expect(lesson.getByRole('heading', { level: 2, name: 'What you saw' })).toBeVisible();
    await expect(lesson.getByRole('complementary', { name: 'A second door' })).toContainText('which is root');
    expect(refused).toEqual([]);
  });

  test('a Run command without a terminal attached falls back to the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    // The network to the terminal is down: every connection attempt is closed at once.
    await page.routeWebSocket(/\/ws\/terminal\//, (ws) => ws.close());
    await page.goto('/lessons/client-and-daemon');
    await expect(page.getByRole('status').filter({ hasText: /Connection lost|Reconnecting/ })).toBeVisible();
    const run = page.getByRole('button', { name: 'Run in terminal: docker version' });
    await run.click();
    await expect(run).toHaveText('Copied: no terminal attached');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('docker version');
  });

  test('lesson text and terminal sit side by side at 1280px and resize by dragging', async ({ page }) => {
    await page.goto('/lessons/containers-are-files');
    const text = page.locator('.lesson-pane');
    const terminal = page.getByRole('region', { name: 'Terminal' });
    await expect(terminal).toBeVisible();
    const [t, term] = [await text.boundingBox(), await terminal.boundingBox()];
    expect(t && term && term.x >= t.x + t.width - 1).toBe(true);

    const separator = page.getByRole('separator');
    const box = await separator.boundingBox();
    if (!box) throw new Error('separator not laid out');
    const before = (await text.boundingBox())?.width ?? 0;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 200, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const after = (await text.boundingBox())?.width ?? 0;
    expect(before - after).toBeGreaterThan(150);
  });

  test('on a narrow screen the terminal sits below the text', async ({ page }) => {
    await page.setViewportSize({ width: 420, height: 860 });
    await page.goto('/lessons/containers-are-files');
    await expect(page.locator('.workspace')).toHaveAttribute('data-layout', 'stacked');
    const [t, term] = [await page.locator('.lesson-pane').boundingBox(), await page.getByRole('region', { name: 'Terminal' }).boundingBox()];
    expect(t && term && term.y >= t.y + t.height - 1).toBe(true);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Containers are files');
  });

  test('prerequisites link to the earlier lesson', async ({ page }) => {
    await page.goto('/lessons/containers-are-files');
    await page.getByRole('link', { name: 'Docker is a client and a daemon' }).click();
    await expect(page).toHaveURL(/\/lessons\/client-and-daemon$/);
  });
});
