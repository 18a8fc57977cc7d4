// Cross-origin isolation from a spec's (or the bench's) side: the site served without its isolation
// headers, and the thread count tfjs's wasm takes on an isolated page.
import type { BrowserContext, Page } from '@playwright/test';
import { ISOLATION_HEADERS } from '../web/isolation-headers.ts';

/** Serves every response to `target` without the cross-origin isolation headers. */
export async function dropIsolationHeaders(target: Page | BrowserContext): Promise<void> {
  await target.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    for (const name of Object.keys(ISOLATION_HEADERS)) delete headers[name.toLowerCase()];
    await route.fulfill({ response, headers });
  });
}

/** tfjs 4.22's XNNPACK threads on an isolated page with `cores` logical cores: half of them, 1 to 8. */
export function tfjsWasmThreads(cores: number): number {
  return Math.min(Math.max(Math.floor(cores / 2), 1), 8);
}
