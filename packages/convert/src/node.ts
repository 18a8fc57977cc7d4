// Node-only helpers (file handles, folders); the rest of the package runs in browsers too.
import { mkdtemp, open, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@webglip/core/engine';
import type { WeightMap } from '@webglip/core/engine';
import type { ByteSource } from './byte-source.ts';
import { checkpointWeightMap } from './checkpoint-weights.ts';
import type { ConvertOptions, ConvertReport } from './convert-checkpoint.ts';
import { convertCheckpoint } from './convert-checkpoint.ts';
import { readCheckpoint } from './read-checkpoint.ts';
import type { Checkpoint } from './torch-checkpoint.ts';

/** Random access to a file on disk; call `close()` when done. */
export async function openFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const out = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(out, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === n ? out : out.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

/** Runs `fn` with a checkpoint file opened for random access. */
export async function withCheckpointFile<T>(path: string, fn: (ckpt: Checkpoint) => Promise<T>): Promise<T> {
  const source = await openFileSource(path);
  try {
    return await fn(await readCheckpoint(source));
  } finally {
    await source.close();
  }
}

/** All tensors of a `.pth` / `.safetensors` file as a WeightMap (names without `module.`). */
export function loadCheckpointWeights(path: string): Promise<WeightMap> {
  return withCheckpointFile(path, checkpointWeightMap);
}

/** The tokenizer every GLIP model uses (bert-base-uncased), shipped in the repo. */
export const DEFAULT_TOKENIZER_JSON = fileURLToPath(new URL('../../../models/bert-base-uncased/tokenizer.json', import.meta.url));

/**
 * Converts a checkpoint file into the model folder `outDir`. Files are written into a temporary sibling
 * folder that is renamed into place only when complete; on any error nothing is left behind.
 * `outDir` must not exist, or be an empty folder.
 */
export async function convertCheckpointFile(
  input: string, outDir: string, options: Omit<ConvertOptions, 'tokenizerJson'> & { tokenizerJson?: Uint8Array } = {},
): Promise<ConvertReport> {
  const target = resolve(outDir);
  const existing = await readdir(target).catch(() => null);
  if (existing && existing.length) throw new ConfigError(`output folder ${target} exists and is not empty; remove it or choose another`);
  const tmp = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  const source = await openFileSource(input);
  try {
    const tokenizerJson = options.tokenizerJson ?? new Uint8Array(await readFile(DEFAULT_TOKENIZER_JSON));
    const report = await convertCheckpoint(source, { writeFile: (name, bytes) => writeFile(join(tmp, name), bytes) }, { ...options, tokenizerJson });
    if (existing) await rmdir(target);
    await rename(tmp, target);
    return report;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    await source.close();
  }
}

export { loadModelFolder } from '@webglip/core/node';
