// Fuzzing helpers (fast-check): byte-level mutations of a valid file, and the property every reader
// of untrusted bytes must have — it returns or throws one of our typed errors, quickly.
import fc from 'fast-check';
import { GlipError } from '../errors.ts';

/** Values that stand for declared lengths, counts and offsets gone wrong. */
const HOSTILE_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Edit = { at: number; kind: 'byte'; value: number } | { at: number; kind: 'u32'; value: number; little: boolean } | { at: number; kind: 'cut' };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ at: fc.nat(), kind: fc.constant('byte' as const), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), kind: fc.constant('u32' as const), value: fc.constantFrom(...HOSTILE_U32), little: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), kind: fc.constant('cut' as const) }) },
);

/** Mutated copies of `valid`: up to `maxEdits` byte writes, 32-bit hostile values, or a truncation. */
export function mutationsOf(valid: Uint8Array, maxEdits = 6): fc.Arbitrary<Uint8Array> {
  return fc.array(edit, { minLength: 1, maxLength: maxEdits }).map((edits) => {
    let bytes = Uint8Array.from(valid);
    for (const e of edits) {
      if (bytes.length === 0) break;
      const at = e.at % bytes.length;
      if (e.kind === 'byte') bytes[at] = e.value;
      else if (e.kind === 'cut') bytes = bytes.slice(0, at);
      else if (at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, e.value, e.little);
    }
    return bytes;
  });
}

/**
 * Runs `read` on the input and checks the outcome: success, or a GlipError (any other exception —
 * RangeError from a huge allocation, TypeError from a missing field — fails the property), within `maxMs`.
 */
export async function onlyTypedErrors(read: () => Promise<unknown>, maxMs = 2000): Promise<void> {
  const started = performance.now();
  try {
    await read();
  } catch (e) {
    if (!(e instanceof GlipError)) throw new Error(`untyped failure: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
  const ms = performance.now() - started;
  if (ms > maxMs) throw new Error(`took ${ms.toFixed(0)} ms (limit ${maxMs})`);
}

/**
 * fast-check parameters: fixed seeds keep CI deterministic; `WEBGLIP_FUZZ_RUNS=<factor>` and
 * `WEBGLIP_FUZZ_SEED=<n>` run longer or elsewhere (a nightly job, or after changing a reader).
 */
export function fuzzParameters(numRuns: number, seed: number): { numRuns: number; seed: number } {
  const factor = Number(process.env.WEBGLIP_FUZZ_RUNS ?? 1);
  const envSeed = process.env.WEBGLIP_FUZZ_SEED;
  return { numRuns: Math.max(1, Math.round(numRuns * factor)), seed: envSeed === undefined ? seed : Number(envSeed) + seed };
}
