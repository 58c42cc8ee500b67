import { defineConfig } from 'vitest/config';

// Three tiers: pure functions, the HTTP API on embedded PGlite, and the same HTTP tests on a real
// PostgreSQL server that test/helpers/postgres-server.ts starts for the run.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          env: { TEST_DATABASE: 'pglite' },
        },
      },
      {
        test: {
          name: 'process',
          include: ['test/process/**/*.test.ts'],
          globalSetup: ['test/helpers/postgres-server.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'http-pglite',
          include: ['test/http/**/*.test.ts'],
          env: { TEST_DATABASE: 'pglite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'http-postgres',
          include: ['test/http/**/*.test.ts'],
          // Files that use no database run once, in the PGlite project.
          exclude: ['test/http/**/*.no-db.test.ts'],
          env: { TEST_DATABASE: 'postgres' },
          globalSetup: ['test/helpers/postgres-server.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
