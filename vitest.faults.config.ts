import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:faults`: the fault-injection suite (test/faults/), on its own infrastructure instance started by
 * its global setup. HOOKLINE_FAULTS_PROFILE=short (default, for CI) or full (more events and endpoints).
 */
/** Workspace packages resolve to their TypeScript source (docs/building.md). */
const conditions = ['@hookline/source', 'module', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/faults/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    // Each file runs five services and injects faults into shared infrastructure: one file at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
