// Dev server for the in-browser benchmark page (tools/bench/browser/index.html), separate from the
// web app's vite.config.ts. Serves the repo and the shared fixtures (the small model's checkpoint).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  server: { fs: { allow: [here('../../..'), here('../../../../shared')] }, host: '127.0.0.1' },
  // Pre-bundling would break tokenizers-wasm's `import * as wasm from '….wasm'` (served as is, Vite handles it).
  optimizeDeps: { exclude: ['tokenizers-wasm'] },
  logLevel: 'warn',
});
