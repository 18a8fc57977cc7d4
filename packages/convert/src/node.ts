// Node-only helpers (file handles, folders); the rest of the package runs in browsers too.
import { open } from 'node:fs/promises';
import type { WeightMap } from '@webglip/core/weights/weight-map.ts';
import type { ByteSource } from './byte-source.ts';
import { checkpointWeightMap } from './checkpoint-weights.ts';
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
