// ResNet body of maskrcnn_benchmark (`backbone.body`, resnet.py: ResNet with StemWithFixedBatchNorm and
// BottleneckWithFixedBatchNorm, the FPN stage specs): every convolution is bias-free and
// followed by a FrozenBatchNorm2d, which is folded into it (`conv2dFrozenBn`). Feature maps `[1, H, W, C]`.
import * as tf from '@tensorflow/tfjs';
import type { ResNetConfig } from '../config.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { conv2dFrozenBn } from './official-layers.ts';

const PREFIX = 'backbone.body';

/** conv1 7×7/2 (pad 3) + bn1 + ReLU, then max-pool 3×3/2 (pad 1): `[1, H, W, 3]` → `[1, H/4, W/4, stem]`. */
function stem(x: tf.Tensor4D, w: WeightMap): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.relu(conv2dFrozenBn(w, `${PREFIX}.stem.conv1`, `${PREFIX}.stem.bn1`, x, 2, 3));
    // (After the ReLU every value is ≥ 0, so the pool's padding value, −∞ in torch, cannot win.)
    return tf.maxPool(y, 3, 2, 1);
  });
}

/**
 * Bottleneck `prefix`: 1×1 → 3×3 → 1×1 (each + FrozenBN, ReLU after the first two), plus the identity
 * or, when the channel count changes, `downsample` (1×1 with the block's stride + FrozenBN); ReLU of
 * the sum. The stride sits on the first 1×1 (`strideIn1x1`, MSRA) or on the 3×3.
 */
function bottleneck(w: WeightMap, prefix: string, x: tf.Tensor4D, outChannels: number, stride: number, strideIn1x1: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [stride1x1, stride3x3] = strideIn1x1 ? [stride, 1] : [1, stride];
    let y = tf.relu(conv2dFrozenBn(w, `${prefix}.conv1`, `${prefix}.bn1`, x, stride1x1, 0));
    y = tf.relu(conv2dFrozenBn(w, `${prefix}.conv2`, `${prefix}.bn2`, y, stride3x3, 1));
    y = conv2dFrozenBn(w, `${prefix}.conv3`, `${prefix}.bn3`, y, 1, 0);
    const identity = x.shape[3] === outChannels ? x : conv2dFrozenBn(w, `${prefix}.downsample.0`, `${prefix}.downsample.1`, x, stride, 0);
    return tf.relu(tf.add(y, identity) as tf.Tensor4D);
  });
}

/**
 * The image `[1, H, W, 3]` (H, W multiples of 32) → C2, C3, C4, C5 `[1, H/s, W/s, res2·2^i]` (strides 4,
 * 8, 16, 32): the outputs of `layer1`..`layer4`. Each stage but the first halves the resolution in
 * its first block.
 */
export function resnetBody(input: tf.Tensor4D, w: WeightMap, cfg: ResNetConfig): tf.Tensor4D[] {
  const outs: tf.Tensor4D[] = [];
  let x = stem(input, w);
  cfg.stageBlocks.forEach((blocks, i) => {
    const outChannels = cfg.res2OutChannels * 2 ** i;
    for (let b = 0; b < blocks; b++) {
      const next = bottleneck(w, `${PREFIX}.layer${i + 1}.${b}`, x, outChannels, b === 0 && i > 0 ? 2 : 1, cfg.strideIn1x1);
      if (!outs.includes(x)) x.dispose();
      x = next;
    }
    outs.push(x);
  });
  return outs;
}
