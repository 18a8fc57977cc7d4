// Threaded wasm in a bundle, with tfjs-backend-wasm 4.22 (the pinned version): tfjs builds the script its
// pthread workers import as `'var WasmBackendModuleThreadedSimd = ' + factory.toString()`, which only works
// while the factory's source text is self-contained. A minifier makes it refer to names outside the function,
// so the factory's `toString` is pointed back at the package's own definition of it (worker/backend.ts, where
// the bundle imports it).

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

