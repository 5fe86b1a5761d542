import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3210);

/**
 * Debian's chromium where it is installed (machines that cannot download browsers),
 * Playwright's own browser elsewhere (`npx playwright install chromium`).
 */
const systemChromium = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: systemChromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } }],
  webServer: {
    // Tests run against the production build, as learners see it.
    command: 'node --import tsx server.ts',
    url: `http://127.0.0.1:${port}/`,
    // Machines of a scope of their own (removed after the run by scripts/test.sh); every
    // browser context is an anonymous visitor from 127.0.0.1, so the per-address limit is lifted.
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      // E2E_LOG_LEVEL=debug shows the server's whole story beside the tests'.
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      UNBOXED_SANDBOX_SCOPE: process.env.E2E_SCOPE ?? 'e2e',
      UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS: '1000',
    },
    reuseExistingServer: false,
    // The server's warnings (a broken check, a failed snapshot) belong in a failed run's output.
    stdout: 'pipe',
    timeout: 60_000,
  },
});
