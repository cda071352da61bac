import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // Unit and API tests: in-process, each on its own fresh database; two at a time (two cores here).
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/api/**/*.test.ts'], maxWorkers: 2 },
      },
      {
        // Every API test again, each on a PostgreSQL database of its own (a copy of one migrated template);
        // npm test runs this pass when TEST_DATABASE_URL is set.
        test: {
          name: 'api-pg',
          include: ['tests/api/**/*.test.ts'],
          // The multi-instance proof runs on PostgreSQL in the first pass already.
          exclude: ['tests/api/city-scale.test.ts'],
          globalSetup: ['tests/helpers/pg-template.ts'],
          env: { GATEPOST_TEST_DB: 'postgres' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        // Real Chromium with a fake camera: one file at a time, so decoding keeps pace with the video.
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], fileParallelism: false, maxWorkers: 1 },
      },
    ],
  },
});
