// Model parameters on the active tfjs backend, addressed by their official state_dict names
// (without the `module.` prefix), e.g. `backbone.body.layers.0.blocks.0.attn.qkv.weight`.
import * as tf from '@tensorflow/tfjs';
import { WeightsFormatError } from '../errors.ts';
import type { SafetensorsFile } from './safetensors.ts';

export class WeightMap {
  constructor(private readonly tensors: Map<string, tf.Tensor>) {}

  /** Builds tensors (f32, or int32 for integer buffers) for every entry of the given files. */
  static fromSafetensors(files: SafetensorsFile[]): WeightMap {
    const tensors = new Map<string, tf.Tensor>();
    for (const file of files) {
      for (const name of file.names()) {
        const { data, shape } = file.get(name);
        tensors.set(name, data instanceof Float32Array ? tf.tensor(data, shape, 'float32') : tf.tensor(Int32Array.from(data), shape, 'int32'));
      }
    }
    return new WeightMap(tensors);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  get(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new WeightsFormatError(`model weights lack "${name}": the checkpoint does not match this config`);
    return t;
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
