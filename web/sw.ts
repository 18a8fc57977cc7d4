/// <reference lib="webworker" />
// The PWA's service worker (vite-plugin-pwa's injectManifest: the build fills in __WB_MANIFEST). It
// precaches the site — pages, engine, wasm, the shipped models, the widget — and serves it from there,
// online and offline, and it serves every precached response cross-origin isolated (COOP/COEP added): on
// a static host that sends no such headers, every visit after the first then runs tfjs's threaded wasm
// (threads need SharedArrayBuffer; web/isolation-headers.ts). It updates itself as soon as a new build is out.
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { ISOLATION_HEADERS } from './isolation-headers.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };


/** `response` with the isolation headers added (its body is streamed through, not copied). */
function crossOriginIsolated(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.skipWaiting();
clientsClaim();
addPlugins([{ cachedResponseWillBeUsed: async ({ cachedResponse }) => cachedResponse && crossOriginIsolated(cachedResponse) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
