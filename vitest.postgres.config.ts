import { defineConfig } from 'vitest/config';

// The storage suite against PostgreSQL. scripts/test-postgres.sh starts a throwaway
// server and sets UNBOXED_TEST_POSTGRES_URL; without it this run would silently test
// SQLite again, so it refuses to start.
if (!process.env.UNBOXED_TEST_POSTGRES_URL) {
  throw new Error('UNBOXED_TEST_POSTGRES_URL is not set. Fix: run npm run test:postgres, which starts a PostgreSQL server for the suite');
}

export default defineConfig({
  resolve: { alias: { '@': new URL('.', import.meta.url).pathname } },
  test: {
    include: ['**/*.storage.test.ts'],
    exclude: ['**/node_modules/**', '**/.next/**'],
    // One database per test, on one server: files one at a time keep it simple.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
