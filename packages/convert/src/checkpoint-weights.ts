// A checkpoint's tensors as a WeightMap on the active tfjs backend (float → f32, int → int32),
// named as the model code expects: official names with `module.` stripped.
import { CheckpointFormatError } from '@webglip/core/engine';
import type { SafetensorsDtype } from '@webglip/core/engine';
import { decodeTensor } from '@webglip/core/engine';
import { WeightMap } from '@webglip/core/engine';
import * as tf from '@tensorflow/tfjs';
import type { StoredTensor } from './stored-tensor.ts';
import type { Checkpoint } from './torch-checkpoint.ts';

export const MODULE_PREFIX = 'module.';

export function stripModulePrefix(name: string): string {
  return name.startsWith(MODULE_PREFIX) ? name.slice(MODULE_PREFIX.length) : name;
}

/** Decodes one stored tensor: floats → Float32Array, integers → Int32Array (range-checked), bool → Uint8Array. */
export async function readTensorValues(t: StoredTensor): Promise<Float32Array | Int32Array | Uint8Array> {
  const bytes = await t.read();
  switch (t.dtype) {
    case 'I16': return Int32Array.from(new Int16Array(bytes.slice().buffer));
    case 'I8': return Int32Array.from(new Int8Array(bytes.slice().buffer));
    default: return decodeTensor({ name: t.name, dtype: t.dtype as SafetensorsDtype, shape: t.shape, begin: 0, end: bytes.length }, bytes);
  }
}

export async function checkpointWeightMap(ckpt: Checkpoint): Promise<WeightMap> {
  const tensors = new Map<string, tf.Tensor>();
  for (const t of ckpt.tensors.values()) {
    const data = await readTensorValues(t);
    const name = stripModulePrefix(t.name);
    if (tensors.has(name)) throw new CheckpointFormatError('unsupported', `two tensors are named "${name}" once "module." is stripped`);
    tensors.set(name, data instanceof Float32Array ? tf.tensor(data, t.shape, 'float32') : tf.tensor(Int32Array.from(data), t.shape, 'int32'));
  }
  return new WeightMap(tensors);
}
