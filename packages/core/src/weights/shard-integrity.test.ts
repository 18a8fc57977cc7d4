// Weights are verified by sha256 before use: a corrupt cached shard (a bit flip on disk, a
// half-written Cache API entry) is detected, re-fetched and replaced; a shard that never matches is
// an IntegrityError that leaves no tensor behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.ts';
import { useBackend } from '../testing/backends.ts';
import { countingModelFiles, tinyModelFolder } from '../testing/tiny-model.ts';
import { loadModel } from './load-model.ts';
import { parseManifest, sha256Hex } from './manifest.ts';
import type { ModelFiles } from './model-files.ts';
import { memoryShardCache } from './shard-cache.ts';

const SHARD = 'model-00001-of-00001.safetensors';

describe('shard integrity (tiny case-a folder)', () => {
  beforeAll(() => useBackend('cpu'));

  it.each([
    ['a flipped bit', (b: Uint8Array) => { const c = Uint8Array.from(b); c[c.length >> 1] ^= 1; return c; }],
    ['a truncated entry', (b: Uint8Array) => b.slice(0, b.length - 100)],
    ['an empty entry', () => new Uint8Array(0)],
  ])('a cached shard with %s is detected by sha256, re-fetched once and replaced in the cache', async (_, damage) => {
    const files = await tinyModelFolder();
    const { sha256 } = parseManifest(JSON.parse(new TextDecoder().decode(files.get('manifest.json')))).shards[0];
    const cache = memoryShardCache();
    await cache.put(sha256, damage(files.get(SHARD)!));
    const source = await countingModelFiles();
    const progress: boolean[] = [];
    const model = await loadModel(source, { cache, retryDelayMs: 0, onProgress: (p) => p.phase === 'decode' && progress.push(p.fromCache) });
    expect(source.reads.get(SHARD)).toBe(1);
    expect(progress).toEqual([false]); // not served from the damaged cache
    expect(await sha256Hex((await cache.get(sha256))!)).toBe(sha256); // healed
    model.weights.dispose();

    const again = await countingModelFiles();
    (await loadModel(again, { cache })).weights.dispose();
    expect(again.reads.get(SHARD)).toBeUndefined(); // now served from the cache
  });

  it('a shard that never matches its sha256 → IntegrityError, nothing cached, no tensor left', async () => {
    const files = await tinyModelFolder();
    const tampered: ModelFiles = {
      async read(file) {
        const bytes = Uint8Array.from(files.get(file)!);
        if (file === SHARD) bytes[bytes.length - 1] ^= 0x80; // a changed weight, same length
        return bytes;
      },
    };
    const cache = memoryShardCache();
    const before = tf.memory().numTensors;
    await expect(loadModel(tampered, { cache, retries: 1, retryDelayMs: 0 })).rejects.toBeInstanceOf(IntegrityError);
    expect(cache.entries.size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
