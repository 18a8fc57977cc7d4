// The pthread workers' script, as tfjs 4.22 builds it from the threaded factory's text, defines the
// factory on its own once that text is the package's definition rather than the (bundled) function's.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { setThreadedFactorySource, threadedFactoryExpression } from './wasm-threads.ts';

const require = createRequire(import.meta.url);
const MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const source = readFileSync(require.resolve(MODULE), 'utf8');

/** Runs `script` with no outer names but the globals and returns what it assigned to the factory's name. */
function definedFactory(script: string): unknown {
  return new Function(`${script}; return WasmBackendModuleThreadedSimd;`)();
}

describe('threaded wasm factory source', () => {
  it("tfjs's worker script built from the replaced toString defines a one-argument factory by itself", () => {
    const factory = function minified(e: unknown): unknown {
      return e;
    };
    setThreadedFactorySource(factory, source);
    const script = `var WasmBackendModuleThreadedSimd = ${factory.toString()}`;
    const defined = definedFactory(script);
    expect(typeof defined).toBe('function');
    expect((defined as (m: unknown) => unknown).length).toBe(1);
    expect(String(defined)).toMatch(/^function\(WasmBackendModuleThreadedSimd\) \{/);
  });

  it('the expression is the factory as the package exports it', () => {
    const shipped = require(MODULE) as (m: unknown) => unknown;
    const defined = definedFactory(`var WasmBackendModuleThreadedSimd = ${threadedFactoryExpression(source)}`);
    expect(String(defined)).toBe(String(shipped));
  });

  it('says so when the module no longer has the expected shape', () => {
    expect(() => threadedFactoryExpression('module.exports = function () {};')).toThrow(/factory definition not found/);
  });
});
