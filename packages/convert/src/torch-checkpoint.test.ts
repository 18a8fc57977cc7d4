import { CheckpointFormatError, UnsafePickleError } from '@webglip/core/engine';
import { CASE_A_DIR } from '@webglip/core/testing';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTensorValues } from './checkpoint-weights.ts';
import { readCheckpoint } from './read-checkpoint.ts';
import { withCheckpointFile } from './node.ts';
import { f32Bytes, hostilePickle, statePickle, torchZip } from './test-checkpoints.ts';

// sha256 over (name, JSON shape, dtype, contiguous bytes) of every tensor of case-a's model.pth, in
// file order, computed once with Debian's torch 1.13 (`torch.load(f)['model']`, `.contiguous().numpy().tobytes()`).
const CASE_A_TORCH_DIGEST = '9d341a1525e68aa1bd229eab7213ac489f3a7ee6c371e3675522058347d52801';

describe('PyTorch checkpoint reader', () => {
  it('reads case-a bit-identically to torch.load', async () => {
    await withCheckpointFile(resolve(CASE_A_DIR, 'model.pth'), async (ck) => {
      expect(ck.tensors.size).toBe(314);
      expect(ck.extras).toEqual([]);
      const h = createHash('sha256');
      for (const t of ck.tensors.values()) {
        h.update(t.name).update(JSON.stringify(t.shape)).update(t.dtype).update(await t.read());
      }
      expect(h.digest('hex')).toBe(CASE_A_TORCH_DIGEST);
    });
  });

  it('makes strided views contiguous and honours storage offsets', async () => {
    // storage 0..11; view: offset 1, shape [3,2], stride [1,4] (a transposed slice).
    const zip = torchZip(
      statePickle([{ name: 'w', storageKey: '0', offset: 1, shape: [3, 2], stride: [1, 4] }], { 0: 12 }, { iteration: 7 }),
      { 0: f32Bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) },
    );
    const ck = await readCheckpoint(zip);
    const t = ck.tensors.get('w')!;
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(new Float32Array((await t.read()).slice().buffer))).toEqual([1, 5, 2, 6, 3, 7]);
    expect(ck.extras).toEqual(['iteration: 7']);
  });

  it('reads zip64 archives (sizes and offsets in zip64 fields)', async () => {
    const pkl = statePickle([{ name: 'module.a', storageKey: '0', shape: [2, 2] }, { name: 'module.b', storageKey: '1', storageType: 'LongStorage', shape: [1] }], { 0: 4, 1: 1 });
    const ck = await readCheckpoint(torchZip(pkl, { 0: f32Bytes([1, 2, 3, 4]), 1: new Uint8Array(new BigInt64Array([42n]).buffer) }, { zip64: true }));
    expect([...ck.tensors.keys()]).toEqual(['module.a', 'module.b']);
    expect(Array.from(new Float32Array((await ck.tensors.get('module.a')!.read()).slice().buffer))).toEqual([1, 2, 3, 4]);
    expect(ck.tensors.get('module.b')!.dtype).toBe('I64');
    expect(new BigInt64Array((await ck.tensors.get('module.b')!.read()).slice().buffer)[0]).toBe(42n);
  });

  it('rejects an empty file', async () => {
    await expect(readCheckpoint(new Uint8Array(0))).rejects.toMatchObject({ name: 'CheckpointFormatError', reason: 'empty' });
  });

  it('rejects a file that is not a zip', async () => {
    await expect(readCheckpoint(new TextEncoder().encode('hello, not a checkpoint'))).rejects.toMatchObject({ reason: 'not-zip' });
  });

  it('rejects a truncated zip', async () => {
    const zip = torchZip(statePickle([{ name: 'w', storageKey: '0', shape: [4] }], { 0: 4 }), { 0: f32Bytes([1, 2, 3, 4]) });
    for (const cut of [zip.length - 10, Math.floor(zip.length / 2)]) {
      await expect(readCheckpoint(zip.subarray(0, cut))).rejects.toMatchObject({ reason: 'truncated' });
    }
  });

  it('rejects a storage that is shorter than its tensor', async () => {
    const zip = torchZip(statePickle([{ name: 'w', storageKey: '0', shape: [4] }], { 0: 4 }), { 0: f32Bytes([1, 2]) });
    const ck = await readCheckpoint(zip);
    await expect(ck.tensors.get('w')!.read()).rejects.toThrow(CheckpointFormatError);
  });

  it.each([['posix', 'system'], ['os', 'system'], ['builtins', 'eval'], ['torch', 'load']])(
    'refuses the forbidden global %s.%s without running anything', async (module, name) => {
      const err = await readCheckpoint(torchZip(hostilePickle(module, name), {})).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafePickleError);
      expect((err as UnsafePickleError).global).toBe(`${module}.${name}`);
      expect((err as Error).message).toContain(`${module}.${name}`);
    });
});

describe('a real torch.save training checkpoint (testdata/make-trainer-checkpoint.py, torch 1.13)', () => {
  const path = fileURLToPath(new URL('../testdata/trainer-checkpoint.pth', import.meta.url));
  it('takes "model" and reports model_ema, optimizer, scheduler and iteration', async () => {
    const ck = await readCheckpoint(readFileSync(path));
    expect(ck.extras).toEqual(['model_ema: dict with 9 tensors', 'optimizer: dict with 2 entries', 'scheduler: dict with 8 entries', 'iteration: 90000']);
    const values = async (name: string): Promise<number[]> => Array.from(await readTensorValues(ck.tensors.get(name)!));
    expect([...ck.tensors.keys()]).toEqual(['module.0.weight', 'module.0.bias', 'module.1.weight', 'module.1.bias',
      'module.t.transposed', 'module.t.half', 'module.t.bf16', 'module.t.index', 'module.t.param']);
    expect(ck.tensors.get('module.t.transposed')!.shape).toEqual([3, 3]);
    expect(await values('module.t.transposed')).toEqual([1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(await values('module.t.half')).toEqual([1, -2.5, 65504]);
    expect(ck.tensors.get('module.t.bf16')!.dtype).toBe('BF16');
    expect(await values('module.t.bf16')).toEqual([1, 3.140625]);
    expect(await values('module.t.index')).toEqual([0, 5, 7, -1]);
    expect(await values('module.t.param')).toEqual([0.25, 0.5]);
    expect(await values('module.0.bias')).toEqual([-0.011535108089447021, 0.45777446031570435].map(Math.fround));
  });
});
