import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic, no infrastructure, fast) and `e2e` (real Kafka, schema registry and
 * MongoDB-wire server started once by the global setup, services as separate processes).
 */
/** Workspace packages resolve to their TypeScript source (docs/building.md), never to a stale dist/. */
const conditions = ['@hookline/source', 'module', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'cli/test/**/*.test.ts', 'infra/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'packages/*/test/**/*.int.test.ts', 'services/*/test/**/*.int.test.ts'],
          globalSetup: ['test/setup/infra.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Each file starts its own five services; two cores cannot run several such files at once.
          fileParallelism: false,
        },
      },
    ],
  },
});
