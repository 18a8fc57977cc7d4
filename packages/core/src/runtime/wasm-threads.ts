// Threaded wasm with tfjs-backend-wasm 4.22 (the pinned version), two workarounds of how it starts threads:
// - it builds the script its pthread workers import as `'var WasmBackendModuleThreadedSimd = ' +
//   factory.toString()`, which only works while the factory's source text is self-contained; a minifier makes
//   it refer to names outside the function, so the factory's `toString` is pointed back at the package's own
//   definition of it (worker/backend.ts, where the bundle imports it);
// - its XNNPACK pool is capped at half of `navigator.hardwareConcurrency`, so the count is doubled while it
//   initialises (runtime/device.ts).

/** What the threaded module's file assigns its factory to: `var WasmBackendModuleThreadedSimd = (() => {…})();`. */
const DEFINITION = 'var WasmBackendModuleThreadedSimd = ';
/** What follows the definition in the file: the CommonJS / AMD exports. */
const EXPORTS = "\nif (typeof exports === 'object'";

/**
 * The factory's definition in `source` (the text of tfjs-backend-wasm's
 * `wasm-out/tfjs-backend-wasm-threaded-simd.js`): an expression that evaluates to the factory and refers
 * to nothing outside itself.
 */
export function threadedFactoryExpression(source: string): string {
  const start = source.indexOf(DEFINITION);
  const end = source.indexOf(EXPORTS);
  if (start < 0 || end < start) {
    throw new Error('tfjs-backend-wasm threaded-simd module: factory definition not found (tfjs version changed?)');
  }
  return source.slice(start + DEFINITION.length, end).trim().replace(/;$/, '');
}

/** Makes `factory.toString()` return its self-contained definition from `source`. */
export function setThreadedFactorySource(factory: object, source: string): void {
  const expression = threadedFactoryExpression(source);
  Object.defineProperty(factory, 'toString', { value: () => expression, configurable: true });
}

/** tfjs 4.22 starts 8 pthread workers and caps XNNPACK's thread pool there. */
export const MAX_WASM_THREADS = 8;

/**
 * Runs `init` (tfjs's wasm initialisation, with `setThreadsCount(cores)`) while `navigator.hardwareConcurrency`
 * reads twice the logical cores: tfjs 4.22 caps XNNPACK's pool at half of it (it assumes two hardware threads
 * per core), which would leave a 2-core machine one thread. The real count is back once `init` settles.
 */
export async function withEveryCoreCounted<T>(cores: number, init: () => Promise<T>): Promise<T> {
  const navigator = globalThis.navigator;
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    return await init();
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
