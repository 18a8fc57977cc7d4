// Loads a converted model folder: manifest.json → config.json → every shard (from the cache, or
// downloaded with progress), each verified against its sha256 and retried when a download fails or
// is corrupt, then decoded to tfjs tensors shard by shard. Honours an AbortSignal.
import type * as tf from '@tensorflow/tfjs';
import type { GlipConfig } from '../config.ts';
import { parseConfigJson } from '../config.ts';
import { IntegrityError, WeightsDownloadError, WeightsFormatError } from '../errors.ts';
import type { ShardInfo, WeightsManifest } from './manifest.ts';
import { parseManifest, sha256Hex } from './manifest.ts';
import type { ModelFiles } from './model-files.ts';
import { SafetensorsFile } from './safetensors.ts';
import type { ShardCache } from './shard-cache.ts';
import { cacheApiShardCache } from './shard-cache.ts';
import { WeightMap } from './weight-map.ts';

export interface LoadProgress {
  /** 'compile': GlipDetector.load compiling the GPU pipelines after the weights (see `pipelines`), before 'done'. */
  phase: 'manifest' | 'download' | 'decode' | 'compile' | 'done';
  /** Shard bytes obtained so far (cached or downloaded), of `totalBytes` (all shards). */
  loadedBytes: number;
  totalBytes: number;
  /** The shard being handled, null outside the shard phases. */
  shard: string | null;
  fromCache: boolean;
  /** In the 'compile' phase: tfjs pipelines compiled so far, of `total`. */
  pipelines?: { compiled: number; total: number };
  /**
   * In the 'download' phase, once a read of `shard` failed or its bytes did not match the manifest:
   * how many times it is being downloaded again (1 = first retry). `loadedBytes` then restarts at
   * that shard's beginning, so a progress bar shows it as a retry instead of going backwards.
   */
  retry?: number;
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Where verified shards are kept; default the Cache API when present, null for none. */
  cache?: ShardCache | null;
  /** Extra attempts per shard after a failed or corrupt download. Default 3. */
  retries?: number;
  /** Wait before retry n is n × this. Default 500 ms. */
  retryDelayMs?: number;
  /** A shard read that delivers no bytes for this long is abandoned and retried. Default 30 s. */
  stallTimeoutMs?: number;
}

export interface LoadedModel {
  config: GlipConfig;
  manifest: WeightsManifest;
  /**
   * float32 tensors for every float (f32 or f16 on disk: tfjs computes in f32), int32 for integer
   * buffers; it remembers which were f16 on disk, which the text path may hold as f16 again.
   */
  weights: WeightMap;
}

async function readJson(files: ModelFiles, file: string, signal: AbortSignal | undefined): Promise<unknown> {
  const bytes = await readWithRetries(files, file, 2, 0, signal);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new WeightsFormatError(`${file} is not valid JSON`, { cause });
  }
}

async function readWithRetries(
  files: ModelFiles, file: string, retries: number, delayMs: number, signal?: AbortSignal, onBytes?: (n: number) => void, stallMs = Infinity,
  onRetry?: () => void,
): Promise<Uint8Array> {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await readWithStallTimeout(files, file, stallMs, signal, onBytes);
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (attempt >= retries) throw new WeightsDownloadError(file, attempt + 1, { cause });
      onRetry?.();
      await sleep(delayMs * (attempt + 1), signal);
    }
  }
}

/** One read, abandoned (its own signal aborted) when no bytes arrive for `stallMs`. */
async function readWithStallTimeout(files: ModelFiles, file: string, stallMs: number, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<Uint8Array> {
  if (!Number.isFinite(stallMs)) return files.read(file, signal, onBytes);
  const stall = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
  };
  const combined = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
  arm();
  try {
    const stalled = new Promise<never>((_, reject) => combined.addEventListener('abort', () => reject(combined.reason), { once: true }));
    return await Promise.race([files.read(file, combined, (n) => { arm(); onBytes?.(n); }), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
  });
}

export async function loadModel(files: ModelFiles, options: LoadOptions = {}): Promise<LoadedModel> {
  const { onProgress, signal } = options;
  const cache = options.cache === undefined ? cacheApiShardCache() : options.cache;
  const retries = options.retries ?? 3;
  const delayMs = options.retryDelayMs ?? 500;
  const stallMs = options.stallTimeoutMs ?? 30_000;
  onProgress?.({ phase: 'manifest', loadedBytes: 0, totalBytes: 0, shard: null, fromCache: false });
  const manifest = parseManifest(await readJson(files, 'manifest.json', signal));
  const config = parseConfigJson(await readJson(files, 'config.json', signal));
  const totalBytes = manifest.shards.reduce((a, s) => a + s.bytes, 0);
  let doneBytes = 0;
  const tensors = new Map<string, tf.Tensor>();
  const halfOnDisk = new Set<string>();
  try {
    for (const shard of manifest.shards) {
      const { bytes, fromCache } = await loadShard(files, shard, cache, { retries, delayMs, stallMs }, signal, (loaded, fromCache, retry) => {
        onProgress?.({ phase: 'download', loadedBytes: doneBytes + loaded, totalBytes, shard: shard.file, fromCache, ...(retry > 0 ? { retry } : {}) });
      });
      doneBytes += shard.bytes;
      onProgress?.({ phase: 'decode', loadedBytes: doneBytes, totalBytes, shard: shard.file, fromCache });
      const partial = WeightMap.fromSafetensors([new SafetensorsFile(bytes)]);
      for (const name of partial.names()) {
        if (tensors.has(name)) throw new WeightsFormatError(`tensor "${name}" appears in two shards`);
        tensors.set(name, partial.get(name));
        if (partial.storedAsF16(name)) halfOnDisk.add(name);
      }
    }
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  onProgress?.({ phase: 'done', loadedBytes: totalBytes, totalBytes, shard: null, fromCache: false });
  return { config, manifest, weights: new WeightMap(tensors, halfOnDisk) };
}

/** One shard, verified: from the cache if there and intact, else downloaded (retrying corrupt copies). */
async function loadShard(
  files: ModelFiles, shard: ShardInfo, cache: ShardCache | null, policy: { retries: number; delayMs: number; stallMs: number },
  signal: AbortSignal | undefined, progress: (loaded: number, fromCache: boolean, retry: number) => void,
): Promise<{ bytes: Uint8Array; fromCache: boolean }> {
  const { retries, delayMs, stallMs } = policy;
  const cached = await cache?.get(shard.sha256);
  if (cached) {
    if (cached.length === shard.bytes && (await sha256Hex(cached)) === shard.sha256) {
      progress(shard.bytes, true, 0);
      return { bytes: cached, fromCache: true };
    }
    await cache!.delete(shard.sha256);
  }
  let retry = 0; // downloads of this shard started again so far (failed reads and corrupt copies)
  const startAgain = (): void => progress(0, false, ++retry);
  for (let attempt = 0; ; attempt++) {
    const onBytes = (n: number): void => progress(Math.min(n, shard.bytes), false, retry);
    const bytes = await readWithRetries(files, shard.file, retries - attempt, delayMs, signal, onBytes, stallMs, startAgain);
    const actual = await sha256Hex(bytes);
    if (actual === shard.sha256 && bytes.length === shard.bytes) {
      await cache?.put(shard.sha256, bytes);
      return { bytes, fromCache: false };
    }
    if (attempt >= retries) throw new IntegrityError(shard.file, shard.sha256, actual);
    startAgain();
    await sleep(delayMs * (attempt + 1), signal);
  }
}

/** True when every shard of the manifest is in the cache (the model can load offline). */
export async function isCached(manifest: WeightsManifest, cache: ShardCache | null = cacheApiShardCache()): Promise<boolean> {
  if (!cache) return false;
  for (const s of manifest.shards) if (!(await cache.has(s.sha256))) return false;
  return true;
}
