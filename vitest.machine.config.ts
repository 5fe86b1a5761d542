import { defineConfig } from 'vitest/config';

// Real-machine suites: they start sandboxes on the host's engine or VMs, so they
// run one file at a time with generous timeouts.
export default defineConfig({
  resolve: { alias: { '@': new URL('.', import.meta.url).pathname } },
  test: {
    include: ['**/*.machine.test.ts'],
    exclude: ['**/node_modules/**', '**/.next/**'],
    fileParallelism: false,
    // Tests a file marks concurrent (lessons-tests: one machine each) run three at a time.
    maxConcurrency: 3,
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
