// The tuned-prompt file: a run's result written and read back exactly; a truncated file, another
// version or another model's file are TunedPromptErrors; the model's identity follows its shards' sums.
import { describe, expect, it } from 'vitest';
import { TunedPromptError } from '../errors.ts';
import type { WeightsManifest } from '../weights/manifest.ts';
import { modelIdentity, readTunedPromptFile, writeTunedPromptFile, type TunedPromptRecord } from './tuned-prompt-file.ts';

const MODEL = 'a'.repeat(64);
const tuned: TunedPromptRecord = {
  caption: 'heart . crescent',
  tokenIds: [101, 2540, 1012, 21716, 102],
  shape: [5, 3],
  offset: Float32Array.from({ length: 15 }, (_, i) => Math.fround(Math.sin(i) * 1e-3 + (i === 7 ? 3.4e38 : 0))),
  steps: 12,
  finalLoss: 1.25,
  stopReason: 'completed',
  settings: { steps: 12, learningRate: 0.05, weightDecay: 0.25, batchSize: 4, examples: 5 },
};
const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TunedPromptError);
    return (e as TunedPromptError).reason;
  }
  throw new Error('no error');
};

describe('tuned-prompt file', () => {
  it('reads back what was written, bit for bit, as readable JSON', () => {
    const bytes = writeTunedPromptFile(tuned, MODEL);
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    expect(doc).toMatchObject({ format: 'webglip-tuned-prompt', version: 1, model: { sha256: MODEL }, caption: tuned.caption, dtype: 'f32', shape: [5, 3] });
    const read = readTunedPromptFile(bytes, MODEL);
    expect(Array.from(read.offset)).toEqual(Array.from(tuned.offset));
    expect(read).toMatchObject({ caption: tuned.caption, tokenIds: tuned.tokenIds, shape: [5, 3], steps: 12, finalLoss: 1.25, stopReason: 'completed', settings: tuned.settings });
  });

  it('names what is wrong: truncated, not one, another version, another model, a wrong-sized offset', () => {
    const bytes = writeTunedPromptFile(tuned, MODEL);
    expect(reason(() => readTunedPromptFile(bytes.subarray(0, bytes.length - 40), MODEL))).toBe('corrupt');
    expect(reason(() => readTunedPromptFile(new TextEncoder().encode('{"format":"something else"}'), MODEL))).toBe('corrupt');
    const edited = (change: (doc: Record<string, unknown>) => void): Uint8Array => {
      const doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
      change(doc);
      return new TextEncoder().encode(JSON.stringify(doc));
    };
    expect(reason(() => readTunedPromptFile(edited((d) => (d.version = 2)), MODEL))).toBe('version');
    expect(reason(() => readTunedPromptFile(bytes, 'b'.repeat(64)))).toBe('other-model');
    expect(reason(() => readTunedPromptFile(edited((d) => (d.shape = [5, 4])), MODEL))).toBe('corrupt');
    expect(reason(() => readTunedPromptFile(edited((d) => (d.tokenIds = [101, 102])), MODEL))).toBe('corrupt');
    expect(() => readTunedPromptFile(bytes, 'b'.repeat(64))).toThrow(/tuned for another model/);
  });

  it("identifies a model by its shards' sha256s, in order", async () => {
    const shard = (sha256: string) => ({ file: `${sha256[0]}.safetensors`, bytes: 8, sha256, dtype: 'f16' as const, tensors: 1 });
    const manifest = (...shas: string[]): WeightsManifest => ({ format: 'webglip-weights', version: 1, dtype: 'f16', totalParameters: 1, shards: shas.map(shard) });
    const one = await modelIdentity(manifest('1'.repeat(64), '2'.repeat(64)));
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(await modelIdentity(manifest('1'.repeat(64), '2'.repeat(64)))).toBe(one);
    expect(await modelIdentity(manifest('2'.repeat(64), '1'.repeat(64)))).not.toBe(one);
  });
});
