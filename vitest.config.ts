import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// The SDK's Node-20 notice would repeat in every worker; it is not about our code.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Vitest's default in a run is one worker per core less one: a single worker on two cores. The integration files
// spend half their time waiting (on moto, on a child CLI's retries and polls): with one worker the suite kept one
// core of two busy, and with two workers per core it keeps both busy (integration: 459 s with two, 236 s with four).
const WORKERS = 2 * availableParallelism();

// Whole-feature runs that `npm test` leaves to `npm run test:slow` (which CI also runs) to stay within five minutes:
// the release tarball installed from the npm registry, and the six-role --per-workload split on moto (its logic is
// covered in-process by test/unit/apply-per-workload.test.ts and plan-per-workload.test.ts).
const SLOW_FILES = ['test/integration/install.test.ts', 'test/integration/per-workload.test.ts'];
const SLOW = process.env.SPLIT_ROLE_SLOW_TESTS === '1';

export default defineConfig({
  test: {
    maxWorkers: WORKERS,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The unit files share their worker's module cache instead of each loading src/ and the SDK afresh: half the
          // unit project's CPU (user 90 s → 48 s) was that loading. Each file restores what it stubs (vi.unstubAllEnvs,
          // fake timers), which this relies on.
          isolate: false,
          // A few cases read generated corpora of 20,000 records; beside the integration files on two cores they pass 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: SLOW ? configDefaults.exclude : [...configDefaults.exclude, ...SLOW_FILES],
          globalSetup: ['test/support/global-setup.ts'],
          // Each worker has a moto of its own (global-setup.ts), so files run side by side.
          fileParallelism: true,
          // As for the unit files: one module cache per worker, not one per file (each file loaded the SDK's clients
          // and the test support afresh, about 0.9 s of CPU). Each file resets its moto and restores the env it sets.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
