// Builds the demo (web/index.html, its teach mode web/teach.html), the browser test pages (web/dev/*.html) and the offline PWA into dist/.
// The <glip-detector> widget is a separate library build (packages/widget/vite.config.ts, run first),
// copied in as dist/widget/ so that the service worker precaches it too.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { embedWidget } from './web/build/embed-widget.ts';
import { ISOLATION_HEADERS } from './web/isolation-headers.ts';
import { serveModels } from './web/build/serve-models.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Fixed port of `vite preview`, used by `pnpm demo` and the Playwright web server. */
export const PREVIEW_PORT = 4173;

export default defineConfig({
  root: here('./web'),
  appType: 'mpa',
  base: './',
  publicDir: here('./web/public'),
  // Cross-origin isolated (COOP/COEP): everything the pages load is their own origin (their CSP's connect-src is
  // 'self'), so require-corp costs nothing. Static hosts get the headers from the service worker (web/sw.ts).
  server: { fs: { allow: [here('.')] }, headers: ISOLATION_HEADERS },
  preview: { port: PREVIEW_PORT, strictPort: true, host: '127.0.0.1', headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        main: here('./web/index.html'),
        teach: here('./web/teach.html'),
        kernels: here('./web/dev/kernels.html'),
        robustness: here('./web/dev/robustness.html'),
      },
    },
  },
  plugins: [
    serveModels(here('./models')),
    embedWidget(here('./.widget-dist')),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: '.',
      filename: 'sw.ts',
      registerType: 'autoUpdate',
      injectRegister: 'script',
      manifest: {
        name: 'webglip — grounded object detection in the browser',
        short_name: 'webglip',
        description: 'Find the objects a text prompt names, on your own GPU, offline.',
        theme_color: '#1d2733',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: './',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,wasm,json,safetensors,svg,png,txt}'],
        globIgnores: ['dev/**'],
        maximumFileSizeToCacheInBytes: 512 * 1024 * 1024,
      },
    }),
  ],
});
