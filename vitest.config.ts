import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Model sessions and full-resolution images make some tests take seconds on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two workers: CI has two cores, and each worker runs ONNX sessions with their own threads.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
