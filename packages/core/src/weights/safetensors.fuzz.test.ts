// Fuzzing the safetensors reader with mutated valid files: it never hangs, never allocates what a
// corrupt header declares, and fails only with WeightsFormatError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.ts';
import { fuzzParameters, mutationsOf, onlyTypedErrors } from '../testing/fuzz.ts';
import { SafetensorsFile } from './safetensors.ts';
import { layoutSafetensors } from './safetensors-writer.ts';

function validFile(): Uint8Array {
  const tensors = [
    { name: 'a.weight', dtype: 'F32' as const, shape: [2, 3], byteLength: 24 },
    { name: 'b.f16', dtype: 'F16' as const, shape: [4], byteLength: 8 },
    { name: 'c.ids', dtype: 'I64' as const, shape: [2], byteLength: 16 },
    { name: 'd.bf16', dtype: 'BF16' as const, shape: [1, 2], byteLength: 4 },
  ];
  const { headerBytes, totalBytes } = layoutSafetensors(tensors, { format: 'pt' });
  const file = new Uint8Array(totalBytes);
  file.set(headerBytes);
  for (let i = headerBytes.length; i < totalBytes; i += 8) file[i] = i & 0x7f; // one small byte per 8: int64s stay in int32 range
  return file;
}

function readEverything(bytes: Uint8Array): Promise<unknown> {
  return Promise.resolve().then(() => {
    const file = new SafetensorsFile(bytes);
    return file.names().map((n) => file.get(n));
  });
}

describe('safetensors reader under fuzzing', () => {
  const valid = validFile();

  it('reads the unmutated file', async () => {
    expect((await readEverything(valid)) as unknown[]).toHaveLength(4);
  });

  it('mutated files: a result or WeightsFormatError, fast', async () => {
    await fc.assert(fc.asyncProperty(mutationsOf(valid), (bytes) => onlyTypedErrors(() => readEverything(bytes))), fuzzParameters(400, 7));
  });

  it('mutated header JSON (valid JSON, wrong values): a result or WeightsFormatError', async () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 })),
    })).value;
    const entry = fc.record({
      dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'I32', 'U8', 'BOOL', 'F64', 'Q4'), json),
      shape: fc.oneof(fc.array(fc.oneof(fc.nat(8), fc.constantFrom(2 ** 31, 2 ** 53, -1, 1.5)), { maxLength: 4 }), json),
      data_offsets: fc.oneof(fc.tuple(fc.nat(64), fc.oneof(fc.nat(64), fc.constant(2 ** 62))), json),
    }, { requiredKeys: [] });
    const header = fc.dictionary(fc.oneof(fc.string(), fc.constant('__metadata__'), fc.constant('__proto__')), fc.oneof(entry, json), { maxKeys: 4 });
    await fc.assert(fc.asyncProperty(header, (h) => {
      const text = new TextEncoder().encode(JSON.stringify(h));
      const bytes = new Uint8Array(8 + text.length + 64);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
      bytes.set(text, 8);
      return onlyTypedErrors(() => readEverything(bytes));
    }), fuzzParameters(400, 11));
  });

  it('a header length of 2^63 or one beyond the file is refused without allocating it', () => {
    const bytes = Uint8Array.from(valid);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => new SafetensorsFile(bytes)).toThrow(WeightsFormatError);
    new DataView(bytes.buffer).setBigUint64(0, 99n * 1024n * 1024n, true);
    expect(() => new SafetensorsFile(bytes)).toThrow(/truncated header/);
  });
});
