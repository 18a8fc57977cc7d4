// The visual encoder: the body MODEL.BACKBONE.CONV_BODY names (Swin or ResNet, `config.backbone`) and
// the FPN on its C3..C5, giving the pyramid the grounding head reads.
import * as tf from '@tensorflow/tfjs';
import type { GlipConfig } from '../config.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { fpn } from './fpn.ts';
import { resnetBody } from './resnet.ts';
import { swinBackbone } from './swin.ts';

/** The preprocessed image `[1, H, W, 3]` (H, W multiples of 32) → P3..P7 `[1, H_l, W_l, fpn.outChannels]` (strides 8..128). */
export function visualBackbone(input: tf.Tensor4D, w: WeightMap, config: GlipConfig): tf.Tensor4D[] {
  return tf.tidy(() => {
    const b = config.backbone;
    const [, c3, c4, c5] = b.kind === 'resnet' ? resnetBody(input, w, b.resnet) : swinBackbone(input, w, config.swin); // C2..C5
    return fpn(c3, c4, c5, w);
  });
}
