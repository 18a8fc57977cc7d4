// Fuzzing the checkpoint reader (zip + whitelisted pickle, and .safetensors) with mutated valid files:
// it never hangs, never executes or resolves a global outside its whitelist, never allocates what a
// corrupt file declares, and fails only with our typed errors.
import { CheckpointFormatError, GlipError, UnsafePickleError } from '@webglip/core/engine';
import { fuzzParameters, mutationsOf, onlyTypedErrors } from '@webglip/core/testing';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from './read-checkpoint.ts';
import { f32Bytes, hostilePickle, statePickle, torchZip } from './test-checkpoints.ts';

const TENSORS = [
  { name: 'module.a.weight', storageKey: '0', shape: [2, 3] },
  { name: 'module.b.bias', storageKey: '1', shape: [3], stride: [2] },
  { name: 'module.c.ids', storageKey: '2', storageType: 'LongStorage', shape: [2] },
];
const STORAGES = { 0: f32Bytes([0, 1, 2, 3, 4, 5]), 1: f32Bytes([6, 7, 8, 9, 10, 11]), 2: new Uint8Array(16).fill(0, 0).map((_, i) => (i % 8 === 0 ? i : 0)) };
const PICKLE = statePickle(TENSORS, { 0: 6, 1: 6, 2: 2 }, { iteration: 3 });

async function readEverything(bytes: Uint8Array): Promise<void> {
  const ckpt = await readCheckpoint(bytes);
  for (const t of ckpt.tensors.values()) await t.read();
}

describe('checkpoint reader under fuzzing', () => {
  it('reads the unmutated checkpoint', async () => {
    await readEverything(torchZip(PICKLE, STORAGES));
  });

  it.each([false, true])('mutated zip files (zip64 %s): a result or a typed error, fast', async (zip64) => {
    const valid = torchZip(PICKLE, STORAGES, { zip64 });
    await fc.assert(fc.asyncProperty(mutationsOf(valid), (bytes) => onlyTypedErrors(() => readEverything(bytes))), fuzzParameters(300, zip64 ? 3 : 5));
  });

  it('mutated pickles inside a valid zip: a result or a typed error, fast', async () => {
    await fc.assert(fc.asyncProperty(mutationsOf(PICKLE, 4), (pickle) => onlyTypedErrors(() => readEverything(torchZip(pickle, STORAGES)))), fuzzParameters(400, 9));
  });

  it('random pickle opcode soup: a result or a typed error, fast', async () => {
    const opcodes = fc.array(fc.oneof(fc.constantFrom(0x28, 0x29, 0x2e, 0x4a, 0x4b, 0x51, 0x52, 0x58, 0x5d, 0x61, 0x62, 0x63, 0x65, 0x68, 0x71, 0x73, 0x74, 0x75, 0x7d, 0x80, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x94, 0x95), fc.integer({ min: 0, max: 255 })), { maxLength: 200 });
    await fc.assert(fc.asyncProperty(opcodes, (ops) => onlyTypedErrors(() => readEverything(torchZip(Uint8Array.from(ops), STORAGES)))), fuzzParameters(400, 13));
  });

  it('mutated .safetensors checkpoints: a result or a typed error', async () => {
    const header = new TextEncoder().encode(JSON.stringify({ 'module.w': { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
    const valid = new Uint8Array(8 + header.length + 8);
    new DataView(valid.buffer).setBigUint64(0, BigInt(header.length), true);
    valid.set(header, 8);
    await fc.assert(fc.asyncProperty(mutationsOf(valid), (bytes) => onlyTypedErrors(() => readEverything(bytes))), fuzzParameters(300, 17));
  });
});

describe('checkpoint reader: declared sizes are not allocated', () => {
  it('a stride-0 view declaring 2^40 elements over a 4-byte storage is refused', async () => {
    const pickle = statePickle([{ name: 'w', storageKey: '0', shape: [2 ** 20, 2 ** 20], stride: [0, 0] }], { 0: 1 });
    const ckpt = await readCheckpoint(torchZip(pickle, { 0: f32Bytes([1]) }));
    await expect(ckpt.tensors.get('w')!.read()).rejects.toThrow(CheckpointFormatError);
  });

  it('a deflated data.pkl declaring 4 GiB is refused before inflating', async () => {
    const zip = zipSync({ 'archive/data.pkl': [PICKLE, { level: 6 }], 'archive/version': [new TextEncoder().encode('3\n'), { level: 0 }] });
    // Central directory record of data.pkl (the first): uncompressed size at +24.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let cd = zip.length - 22;
    while (view.getUint32(cd, true) !== 0x02014b50) cd--;
    while (cd > 0 && !(view.getUint32(cd, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(cd + 46, cd + 46 + 16)) === 'archive/data.pkl')) cd--;
    view.setUint32(cd + 24, 0xfffffff0, true);
    const before = process.memoryUsage().arrayBuffers;
    await expect(readCheckpoint(zip)).rejects.toThrow(/declares|inflate/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('checkpoint reader: the pickle whitelist', () => {
  it.each([
    ['os', 'system'], ['builtins', 'eval'], ['builtins', 'exec'], ['subprocess', 'Popen'], ['posix', 'system'],
    ['torch', 'load'], ['numpy', 'load'], ['collections', 'defaultdict'], ['torch._utils', '_rebuild_tensor'], ['__builtin__', 'getattr'],
  ])('%s.%s → UnsafePickleError, nothing resolved', async (module, name) => {
    const error = await readCheckpoint(torchZip(hostilePickle(module, name), {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect((error as UnsafePickleError).global).toBe(`${module}.${name}`);
  });

  it('fuzzed GLOBAL names are never resolved outside the whitelist', async () => {
    const allowed = /^(torch\.(Float|Double|Half|BFloat16|Long|Int|Short|Char|Byte|Bool)Storage|collections\.(OrderedDict|Counter)|torch\._utils\._rebuild_(tensor_v2|parameter|parameter_with_state))$/;
    const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,20}$/);
    await fc.assert(fc.asyncProperty(ident, ident, async (module, name) => {
      const error = await readCheckpoint(torchZip(hostilePickle(module, name), {})).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GlipError);
      if (!allowed.test(`${module}.${name}`)) expect(error).toBeInstanceOf(UnsafePickleError);
    }), fuzzParameters(300, 19));
  });
});
