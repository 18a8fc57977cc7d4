// Browser tests against the production build (`vite preview` of dist/), in Debian's Chromium with
// WebGPU on SwiftShader. Never downloads browsers. Build first: `pnpm build` (`pnpm test` does).
import { defineConfig } from '@playwright/test';
import { CHROMIUM, QUIET_FLAGS, WEBGPU_FLAGS } from './e2e/chromium.ts';

/** Port of the `vite preview` the specs run against; WEBGLIP_E2E_PORT lets two runs share a machine. */
const PORT = Number(process.env.WEBGLIP_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  // SwiftShader runs GLIP at CPU speed (a minute or more per image on a busy 2-core machine).
  timeout: 300_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: { executablePath: CHROMIUM, args: [...WEBGPU_FLAGS, ...QUIET_FLAGS] },
  },
  webServer: {
    command: `pnpm exec vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
