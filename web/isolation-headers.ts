// The two response headers that make a page cross-origin isolated (SharedArrayBuffer, so tfjs's threaded
// wasm), sent by the dev and preview servers (vite.config.ts) and added by the service worker (web/sw.ts).
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
