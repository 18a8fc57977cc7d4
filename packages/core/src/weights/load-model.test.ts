import { parseConfigJson, glipTConfig } from '../config.ts';
import { IntegrityError, WeightsDownloadError } from '../errors.ts';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadProgress } from './load-model.ts';
import { isCached, loadModel } from './load-model.ts';
import type { WeightsManifest } from './manifest.ts';
import { sha256Hex } from './manifest.ts';
import type { ModelFiles } from './model-files.ts';
import { layoutSafetensors } from './safetensors-writer.ts';
import { memoryShardCache } from './shard-cache.ts';

/** A two-shard model folder in memory: an f16 shard and an f32 shard with an int64 buffer. */
async function folder(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  const shard1Layout = layoutSafetensors([{ name: 'a', dtype: 'F16', shape: [2], byteLength: 4 }]);
  const shard1 = new Uint8Array(shard1Layout.totalBytes);
  shard1.set(shard1Layout.headerBytes);
  shard1.set(new Uint8Array(Uint16Array.from([0x3c00, 0xc000]).buffer), shard1Layout.offsets[0]); // 1, -2
  const shard2Layout = layoutSafetensors([
    { name: 'b', dtype: 'F32', shape: [1, 3], byteLength: 12 },
    { name: 'idx', dtype: 'I64', shape: [2], byteLength: 16 },
  ]);
  const shard2 = new Uint8Array(shard2Layout.totalBytes);
  shard2.set(shard2Layout.headerBytes);
  shard2.set(new Uint8Array(Float32Array.from([0.5, 1.5, 2.5]).buffer), shard2Layout.offsets[0]);
  shard2.set(new Uint8Array(BigInt64Array.from([7n, -3n]).buffer), shard2Layout.offsets[1]);
  files.set('s1.safetensors', shard1);
  files.set('s2.safetensors', shard2);
  const manifest: WeightsManifest = {
    format: 'webglip-weights', version: 1, dtype: 'f16', totalParameters: 5,
    shards: [
      { file: 's1.safetensors', bytes: shard1.length, sha256: await sha256Hex(shard1), dtype: 'f16', tensors: 1 },
      { file: 's2.safetensors', bytes: shard2.length, sha256: await sha256Hex(shard2), dtype: 'f32', tensors: 2 },
    ],
  };
  files.set('manifest.json', enc.encode(JSON.stringify(manifest)));
  files.set('config.json', enc.encode(JSON.stringify(glipTConfig())));
  return files;
}

/** ModelFiles over a map; `tamper(file, attempt)` may corrupt or fail a read. */
function memoryFiles(files: Map<string, Uint8Array>, tamper?: (file: string, attempt: number, bytes: Uint8Array) => Uint8Array): ModelFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async read(file, signal, onBytes) {
      signal?.throwIfAborted();
      const attempt = reads.filter((f) => f === file).length;
      reads.push(file);
      const bytes = files.get(file);
      if (!bytes) throw new Error(`404 ${file}`);
      const out = tamper ? tamper(file, attempt, bytes) : Uint8Array.from(bytes);
      onBytes?.(out.length);
      return out;
    },
  };
}

describe('model folder loader', () => {
  let files: Map<string, Uint8Array>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    files = await folder();
  });

  it('loads shards with progress, decodes f16 to f32 and int64 to int32', async () => {
    const events: LoadProgress[] = [];
    const model = await loadModel(memoryFiles(files), { cache: null, onProgress: (p) => events.push(p) });
    expect(model.config).toEqual(parseConfigJson(glipTConfig()));
    expect(model.weights.names()).toEqual(['a', 'b', 'idx']);
    expect(Array.from(model.weights.get('a').dataSync())).toEqual([1, -2]);
    expect(model.weights.get('b').shape).toEqual([1, 3]);
    expect(model.weights.get('idx').dtype).toBe('int32');
    expect(Array.from(model.weights.get('idx').dataSync())).toEqual([7, -3]);
    const total = model.manifest.shards.reduce((a, s) => a + s.bytes, 0);
    expect(events[0].phase).toBe('manifest');
    expect(events.at(-1)).toEqual({ phase: 'done', loadedBytes: total, totalBytes: total, shard: null, fromCache: false });
    const loaded = events.map((e) => e.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((x, y) => x - y));
    expect(events.filter((e) => e.phase === 'download').map((e) => e.shard)).toEqual(['s1.safetensors', 's2.safetensors']);
    model.weights.dispose();
  });

  it('serves shards from the cache the second time', async () => {
    const cache = memoryShardCache();
    const manifest = (await loadModel(memoryFiles(files), { cache })).manifest;
    expect(await isCached(manifest, cache)).toBe(true);
    const source = memoryFiles(files);
    const events: LoadProgress[] = [];
    const model = await loadModel(source, { cache, onProgress: (p) => events.push(p) });
    expect(source.reads).toEqual(['manifest.json', 'config.json']);
    expect(events.filter((e) => e.phase === 'download').every((e) => e.fromCache)).toBe(true);
    model.weights.dispose();
  });

  it('retries a corrupt or failed shard download', async () => {
    const source = memoryFiles(files, (file, attempt, bytes) => {
      if (file === 's1.safetensors' && attempt === 0) throw new Error('connection reset');
      if (file === 's2.safetensors' && attempt === 0) return Uint8Array.from(bytes).fill(0, 40, 44);
      return bytes;
    });
    const events: LoadProgress[] = [];
    const model = await loadModel(source, { cache: null, retryDelayMs: 0, onProgress: (p) => events.push(p) });
    expect(source.reads.filter((f) => f.startsWith('s'))).toEqual(['s1.safetensors', 's1.safetensors', 's2.safetensors', 's2.safetensors']);
    // Each shard's second download says it is retry 1 from its first byte; a bar never has to go back unannounced.
    const downloads = events.filter((e) => e.phase === 'download');
    const s2 = downloads.filter((e) => e.shard === 's2.safetensors');
    const s2Start = files.get('s1.safetensors')!.length;
    expect(s2.map((e) => [e.loadedBytes - s2Start, e.retry])).toEqual([[files.get('s2.safetensors')!.length, undefined], [0, 1], [files.get('s2.safetensors')!.length, 1]]);
    expect(downloads.filter((e) => e.shard === 's1.safetensors').map((e) => e.retry)).toEqual([1, 1]);
    for (let i = 1; i < downloads.length; i++) {
      if (downloads[i].loadedBytes < downloads[i - 1].loadedBytes) expect(downloads[i].retry, `event ${i} goes back`).toBeGreaterThan(downloads[i - 1].retry ?? 0);
    }
    model.weights.dispose();
  });

  it('fails with IntegrityError when a shard never matches its sha256, and evicts a corrupt cached copy', async () => {
    const corrupt = memoryFiles(files, (file, _attempt, bytes) => (file === 's2.safetensors' ? Uint8Array.from(bytes).fill(1, 40, 41) : bytes));
    const err = await loadModel(corrupt, { cache: null, retries: 2, retryDelayMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as IntegrityError).file).toBe('s2.safetensors');
    expect(corrupt.reads.filter((f) => f === 's2.safetensors')).toHaveLength(3);

    const cache = memoryShardCache();
    const manifest = (await loadModel(memoryFiles(files), { cache })).manifest;
    cache.entries.get(manifest.shards[0].sha256)!.fill(0, 20, 30);
    const source = memoryFiles(files);
    (await loadModel(source, { cache })).weights.dispose();
    expect(source.reads).toContain('s1.safetensors');
  });

  it('abandons and retries a stalled shard read', async () => {
    let stalls = 0;
    const inner = memoryFiles(files);
    const source: ModelFiles = {
      read: (file, signal, onBytes) => {
        if (file === 's2.safetensors' && stalls++ === 0) return new Promise<never>(() => {}); // hangs forever
        return inner.read(file, signal, onBytes);
      },
    };
    const model = await loadModel(source, { cache: null, retryDelayMs: 0, stallTimeoutMs: 50 });
    expect(stalls).toBe(2);
    model.weights.dispose();
  });

  it('gives up on a missing file with WeightsDownloadError', async () => {
    const partial = new Map(files);
    partial.delete('s2.safetensors');
    await expect(loadModel(memoryFiles(partial), { cache: null, retries: 1, retryDelayMs: 0 })).rejects.toBeInstanceOf(WeightsDownloadError);
  });

  it('honours an AbortSignal', async () => {
    const controller = new AbortController();
    const source = memoryFiles(files, (file, _a, bytes) => {
      if (file === 's1.safetensors') controller.abort(new Error('user cancelled'));
      return bytes;
    });
    await expect(loadModel(source, { cache: null, signal: controller.signal })).rejects.toThrow('user cancelled');
    expect(source.reads).not.toContain('s2.safetensors');
  });
});
