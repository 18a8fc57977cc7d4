import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tools/**/*.test.ts', 'web/src/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // tokenizers-wasm imports its .wasm as an ES module: inline it so Vite's wasm support loads it.
    server: { deps: { inline: ['tokenizers-wasm'] } },
  },
});
