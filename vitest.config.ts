import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{pipeline,stages,filters,tokenizer,bin,tests}/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // In CI also write test-results.json so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
