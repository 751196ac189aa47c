import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the `weir-source` export condition).
export default defineConfig({
  resolve: { conditions: ['weir-source'] },
  ssr: { resolve: { conditions: ['weir-source'], externalConditions: ['weir-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // the JSON report lets .ci/run print a plain 'N passed, N failed' closing line
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
