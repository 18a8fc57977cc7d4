// Seeded random parameters for benchmark models: norms 1/0, biases 0, layer scales small, the rest
// uniform within ±min(0.05, 1/sqrt(fan-in)), which keeps GLIP's activations finite.
import * as tf from '@tensorflow/tfjs';

export function randomParameter(name: string, shape: number[], seed: number): tf.Tensor {
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const isNorm = /norm|LayerNorm/.test(name) && shape.length === 1;
  if (isNorm) return leaf === 'weight' ? tf.ones(shape) : tf.zeros(shape);
  if (leaf === 'scale') return tf.ones(shape);
  if (leaf === 'bias' || leaf === 'bias0' || leaf === 'bias_lang' || leaf === 'log_scale') return tf.zeros(shape);
  const fanIn = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const limit = leaf === 'gamma_v' || leaf === 'gamma_l' ? 0.125 : Math.min(0.05, Math.sqrt(1 / fanIn));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}
