import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'chaos/**/*.unit.test.ts', 'bench/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // On Traefik and real pod processes inside hack/in-netns.sh's namespace (npm run e2e), else on
          // the simulated data plane (npm run e2e:simulation): see e2e/dataplane.ts.
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        // Needs the network namespace of hack/in-netns.sh: npm run test:realpods.
        test: {
          name: 'realpods',
          include: ['test/realpods/**/*.test.ts'],
          globalSetup: ['test/realpods/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['chaos/**/*.test.ts'],
          exclude: ['chaos/**/*.unit.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 3_600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
