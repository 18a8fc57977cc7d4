// GLIP's detection loss for prompt tuning, composed and normalised as ATSSLossComputation.__call__ and
// VLDyHeadModule._forward_train do (one process: get_world_size() = 1, reduce_sum is the identity):
//   N_pos            = max(Σ_images positives, 1)
//   dot_product_token = Σ token focal loss / N_pos · DOT_PRODUCT_TOKEN_LOSS_WEIGHT
//   reg              = Σ centerness_target · (1 − GIoU) / Σ centerness_target · REG_LOSS_WEIGHT
//   centerness       = Σ BCEWithLogits(centerness logit, centerness_target) / N_pos
//   total            = dot_product_token + reg + centerness
// (loss_cls is in the official dict as 0 · loss: USE_CLASSIFICATION_LOSS is off in GLIP's configs, and
// the box-class logits it reads do not exist in the fused-features head; left out.) With no positive
// at all, reg and centerness are 0, as GLIP's sums over empty sets.
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../kernels/gather-rows.ts';
import type { HeadOutputs } from '../model/heads.ts';
import { centernessLoss } from './centerness.ts';
import { giouLoss } from './giou-loss.ts';
import type { TuningLossConfig } from './loss-config.ts';
import type { ImageLossTargets } from './loss-targets.ts';
import { tokenSigmoidFocalLoss } from './token-focal-loss.ts';

export interface LossImage {
  /** The head's outputs for this image: logits `[A_l, T]`, bbox_reg `[1, H_l, W_l, 4]`, centerness `[1, H_l, W_l, 1]`, P3..P7. */
  head: HeadOutputs;
  targets: ImageLossTargets;
}

export interface GlipLoss {
  total: tf.Scalar;
  dotProductToken: tf.Scalar;
  reg: tf.Scalar;
  centerness: tf.Scalar;
}

/** GLIP's normalisers of one batch: they depend on the targets only, not on what is being trained. */
export interface LossNormalisers {
  /** Σ_images positives (N_pos before the max with 1). */
  numPos: number;
  /** Σ_images Σ centerness_target over the positives. */
  centernessSum: number;
}

export function lossNormalisers(targets: readonly ImageLossTargets[]): LossNormalisers {
  return { numPos: targets.reduce((n, t) => n + t.positives.size, 0), centernessSum: targets.reduce((s, t) => s + t.centernessSum, 0) };
}

/**
 * One image's share of its batch's loss, normalised by the whole batch's `norm`: the batch loss is the
 * sum of its images' shares, so a batch's gradient can be taken one image at a time (only one image's
 * tape alive at once) and added up.
 */
export function imageLossShare({ head, targets }: LossImage, norm: LossNormalisers, cfg: TuningLossConfig, coderWeights: readonly [number, number, number, number]): GlipLoss {
  return tf.tidy(() => {
    const nPosAvg = Math.max(norm.numPos, 1);
    const logits = tf.concat(head.logits, 0); // [A, T]
    const focal = tokenSigmoidFocalLoss(logits, targets.tokens, cfg.tokenAlpha, cfg.tokenGamma);
    const dotProductToken = tf.mul(tf.div(focal, nPosAvg), cfg.dotProductTokenLossWeight) as tf.Scalar;
    if (targets.positives.size === 0) {
      const [reg, centerness] = [tf.scalar(0), tf.scalar(0)];
      return { total: tf.addN([dotProductToken, reg, centerness]) as tf.Scalar, dotProductToken, reg, centerness };
    }
    const regression = tf.concat(head.bboxReg.map((r) => tf.reshape(r, [-1, 4])), 0); // [A, 4]
    const centernessLogits = tf.concat(head.centerness.map((c) => tf.reshape(c, [-1])), 0); // [A]
    // gatherRows: differentiable on wasm too (tf.gather's gradient needs UnsortedSegmentSum, which wasm lacks)
    const giou = giouLoss(gatherRows(regression as tf.Tensor2D, targets.positives), targets.regression, targets.positiveAnchors, targets.centerness, coderWeights);
    const bce = centernessLoss(tf.reshape(gatherRows(tf.reshape(centernessLogits, [-1, 1]), targets.positives), [-1]) as tf.Tensor1D, targets.centerness);
    const reg = tf.mul(tf.div(giou, norm.centernessSum), cfg.regLossWeight) as tf.Scalar;
    const centerness = tf.div(bce, nPosAvg) as tf.Scalar;
    return { total: tf.addN([dotProductToken, reg, centerness]) as tf.Scalar, dotProductToken, reg, centerness };
  });
}
