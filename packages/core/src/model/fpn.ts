// FPN neck (`backbone.fpn`, fpn.py + LastLevelP6P7): lateral 1×1 convs on C3..C5, top-down nearest
// upsampling, 3×3 output convs; P6 = conv3×3/2 on P5 when its in-channels equal the FPN width
// (`use_P5`: GLIP-T's Swin, where GLIP builds it so), else on C5 (the ResNet bodies as upstream
// maskrcnn-benchmark builds them); P7 = conv3×3/2 on ReLU(P6). No GN, no ReLU elsewhere. Feature maps
// `[1, H, W, C]`.
import * as tf from '@tensorflow/tfjs';
import type { WeightMap } from '../weights/weight-map.ts';
import { conv2d } from './official-layers.ts';

const PREFIX = 'backbone.fpn';

/** Source indices of PyTorch's legacy `nearest` resize: floor(dst · (in/out) in f32), clamped. */
function nearestIndices(inSize: number, outSize: number): tf.Tensor1D {
  const scale = Math.fround(inSize / outSize);
  return tf.tensor1d(Int32Array.from({ length: outSize }, (_, i) => Math.min(Math.floor(Math.fround(i * scale)), inSize - 1)), 'int32');
}

/** F.interpolate(x, size=(h, w), mode='nearest') on `[1, H, W, C]`. */
function upsampleNearest(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return tf.tidy(() => tf.gather(tf.gather(x, nearestIndices(x.shape[1], h), 1), nearestIndices(x.shape[2], w), 2) as tf.Tensor4D);
}

/**
 * Body stage outputs C3, C4, C5 `[1, H_i, W_i, C_i]` (strides 8, 16, 32) → P3..P7 `[1, H_l, W_l, out]`
 * (strides 8..128).
 */
export function fpn(c3: tf.Tensor4D, c4: tf.Tensor4D, c5: tf.Tensor4D, w: WeightMap): tf.Tensor4D[] {
  return tf.tidy(() => {
    const laterals = [c3, c4, c5];
    let last = conv2d(w, `${PREFIX}.fpn_inner4`, c5, 1, 0);
    const outs = [conv2d(w, `${PREFIX}.fpn_layer4`, last, 1, 1)]; // P5
    for (const level of [3, 2]) {
      const lateral = conv2d(w, `${PREFIX}.fpn_inner${level}`, laterals[level - 2], 1, 0);
      last = tf.add(lateral, upsampleNearest(last, lateral.shape[1], lateral.shape[2]));
      outs.unshift(conv2d(w, `${PREFIX}.fpn_layer${level}`, last, 1, 1)); // P4, then P3
    }
    const p6In = w.shapeOf(`${PREFIX}.top_blocks.p6.weight`)[1] === outs[2].shape[3] ? outs[2] : c5;
    const p6 = conv2d(w, `${PREFIX}.top_blocks.p6`, p6In, 2, 1);
    const p7 = conv2d(w, `${PREFIX}.top_blocks.p7`, tf.relu(p6), 2, 1);
    return [...outs, p6, p7];
  });
}
