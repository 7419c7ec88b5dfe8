import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{pipeline,stages,filters,tokenizer,bin,tests}/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
