// Seeded random parameters for benchmark models: norms 1/0, biases 0, layer scales small, the rest
// uniform within ±min(0.05, 1/sqrt(fan-in)), which keeps GLIP's activations finite. Every value is
// exactly representable in f16, as in a model converted with `--dtype f16` (the shipped format), so
// the engine may hold them as f16 as it does a shipped model's.
import * as tf from '@tensorflow/tfjs';
import { WeightMap } from '@webglip/core/engine';

/**
 * Uniform in ±limit on a grid of step 2^(⌈log2 limit⌉ − 11): every grid value k·step has |k| ≤ 2^11,
 * i.e. at most 11 significant bits, so it is an exact f16 (normal or subnormal).
 */
function uniformHalfExact(shape: number[], limit: number, seed: number): tf.Tensor {
  const step = 2 ** (Math.ceil(Math.log2(limit)) - 11);
  return tf.tidy(() => tf.mul(tf.round(tf.div(tf.randomUniform(shape, -limit, limit, 'float32', seed), step)), step));
}

export function randomParameter(name: string, shape: number[], seed: number): tf.Tensor {
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const isNorm = /norm|LayerNorm/.test(name) && shape.length === 1;
  if (isNorm) return leaf === 'weight' ? tf.ones(shape) : tf.zeros(shape);
  if (leaf === 'scale') return tf.ones(shape);
  if (leaf === 'bias' || leaf === 'bias0' || leaf === 'bias_lang' || leaf === 'log_scale') return tf.zeros(shape);
  const fanIn = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const limit = leaf === 'gamma_v' || leaf === 'gamma_l' ? 0.125 : Math.min(0.05, Math.sqrt(1 / fanIn));
  return uniformHalfExact(shape, limit, seed);
}

/** An official checkpoint's key list (`fixtures/glip-t-keys.json`): key → shape and kind. */
export interface ParameterList {
  keys: Record<string, { shape: number[]; kind: string }>;
}

/** Seeded random weights for every parameter of `list` (buffers are recomputed by the engine), f16-exact. */
export function randomWeightMap(list: ParameterList): WeightMap {
  const tensors = new Map<string, tf.Tensor>();
  let seed = 1;
  for (const [key, { shape, kind }] of Object.entries(list.keys)) {
    if (kind !== 'parameter') continue; // anchors, indices, position ids
    const name = key.replace(/^module\./, '');
    tensors.set(name, randomParameter(name, shape, seed++));
  }
  return new WeightMap(tensors, new Set(tensors.keys()));
}
