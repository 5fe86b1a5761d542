import { defineConfig } from 'vitest/config';

// The fast inner loop: pure units only. Suites that need a real engine or VM are
// named *.machine.test.ts and run with vitest.machine.config.ts.
export default defineConfig({
  resolve: { alias: { '@': new URL('.', import.meta.url).pathname } },
  test: {
    include: ['**/*.test.ts'],
    // The first MDX compile loads Shiki's grammars: seconds on a busy 2-core machine.
    testTimeout: 30_000,
    exclude: ['**/node_modules/**', '**/.next/**', '**/*.machine.test.ts'],
  },
});
