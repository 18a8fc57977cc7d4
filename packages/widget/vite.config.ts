// Builds <glip-detector> as one ES module, glip-detector.js, that a plain HTML page loads with a single
// <script type="module">. The engine worker and the .wasm files are emitted beside it (assets/) and
// found relative to the module's own URL. Built into .widget-dist/, before the site: the site's build
// (vite.config.ts) copies it to dist/widget/, where its service worker precaches it. An app build rather than Vite's
// library mode, because library mode would inline the wasm binaries as base64 data: URLs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  build: {
    outDir: here('../../.widget-dist'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: { 'glip-detector': here('./src/index.ts') },
      preserveEntrySignatures: 'exports-only',
      output: { entryFileNames: '[name].js', inlineDynamicImports: true },
    },
  },
});
