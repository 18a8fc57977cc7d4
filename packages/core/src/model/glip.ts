// GLIP's grounding head on top of the backbones: given FPN P3..P7 and the BERT hidden states of the
// prompt, run the VLDyHead tower, the output heads and the anchors. Post-processing is separate
// (postprocess/), so callers can inspect every raw output.
import * as tf from '@tensorflow/tfjs';
import type { GlipConfig } from '../config.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { atssAnchors } from './anchors.ts';
import type { ForwardSteps } from './forward-steps.ts';
import { type HeadOutputs, glipHeads } from './heads.ts';
import { vlDyHeadTower } from './vldyhead.ts';

export interface GlipHeadOutputs extends HeadOutputs {
  /** per level `[H_l·W_l, 4]` xyxy */
  anchors: tf.Tensor2D[];
}

/**
 * fpn: P3..P7 `[1, H_l, W_l, C]`; langHidden: last BERT layer `[T, D]` for the T real tokens
 * (padding to MAX_QUERY_LEN does not change real-token results); mask `[T]` (0/1). Stages: the
 * tower's (vldyhead.ts), then `head` (logits, bbox_reg, centerness, anchors, each P3..P7). The inputs
 * stay the caller's; the caller disposes the outputs (`disposeHeadOutputs`).
 */
export function* groundingHead(
  w: WeightMap,
  cfg: GlipConfig,
  fpn: tf.Tensor4D[],
  langHidden: tf.Tensor2D,
  mask: tf.Tensor1D,
): ForwardSteps<GlipHeadOutputs> {
  const tower = yield* vlDyHeadTower(w, cfg, fpn, langHidden, mask);
  const heads = glipHeads(w, tower.visual, tower.lang);
  tf.dispose([...tower.visual, tower.lang]);
  const anchors = atssAnchors(cfg.anchors, fpn.map((p) => [p.shape[1], p.shape[2]] as [number, number]));
  const outputs = { ...heads, anchors };
  yield { name: 'head', tensors: headTensors(outputs) };
  return outputs;
}

/** Every tensor of the head outputs: logits, bbox_reg, centerness, anchors, each P3..P7. */
export function headTensors(head: GlipHeadOutputs): tf.Tensor[] {
  return [...head.logits, ...head.bboxReg, ...head.centerness, ...head.anchors];
}

export function disposeHeadOutputs(head: GlipHeadOutputs): void {
  tf.dispose(headTensors(head));
}
