import { expect, test } from '@playwright/test';

test('the catalog lists the lessons in order with topics, time and progress', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Open the box' })).toBeVisible();

  const cards = page.locator('.lesson-card');
  await expect(cards.nth(0).getByRole('heading')).toHaveText('Docker is a client and a daemon');
  await expect(cards.nth(1).getByRole('heading')).toHaveText('Containers are files');
  await expect(cards.nth(2).getByRole('heading')).toHaveText('Containers are processes');

  const first = cards.nth(0);
  await expect(first.getByRole('list', { name: 'Topics' }).getByRole('listitem')).toHaveText(['docker-api', 'dockerd']);
  await expect(first).toContainText('30 min');
  // A new learner has recorded nothing yet.
  await expect(first).toContainText('0 / 5 exercises');

  await first.getByRole('link', { name: 'Docker is a client and a daemon' }).click();
  await expect(page).toHaveURL(/\/lessons\/client-and-daemon$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Docker is a client and a daemon');
});

test('an unknown lesson is a 404 page', async ({ page }) => {
  const response = await page.goto('/lessons/no-such-lesson');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the lessons' }).click();
  await expect(page.getByRole('heading', { name: 'Open the box' })).toBeVisible();
});
