// GLIP's forward pass, the only place it is composed. Every caller — GlipDetector's detect and its
// load-time compile pass, `webglip parity`, the bench's staged, profiled and memory runs — runs these
// parts (with forward-steps.ts's runSteps or runStaged), so they all run the same pass:
//
//   image ─ imageFeatures ──────────────▶ P3..P7 ─┐          (cached per image by the detector)
//            preprocess → body → FPN                ├─ groundingHead ─▶ logits, boxes, centerness, anchors
//   token ids ─ languageFeatures ───────▶ hidden ─┘    VLDyHead tower → heads → anchors
//            BERT                                      (cached per prompt)        │
//                                                                    decodeDetections (ATSS post-processing)
//
// Stages and their tensors (the names parity maps onto the official fixture names):
//   image.input          [1, Hp, Wp, 3] the normalised, padded network input
//   backbone.body        C2..C5 [1, H, W, C_i] (Swin stages 2..5, or ResNet layer1..4: config.backbone)
//   backbone.fpn         P3..P7 [1, H_l, W_l, C]
//   lang.bert.embeddings, lang.bert.layer{n}   [T, D]
//   dyhead.{i}.fuse      P3..P7, then the text [T, D];  dyhead.{i}.bert  [T, D];  dyhead.{i}.dyconv  P3..P7
//   head                 logits [A_l, T] ×5, bbox_reg [1, H_l, W_l, 4] ×5, centerness [1, H_l, W_l, 1] ×5, anchors [A_l, 4] ×5
import * as tf from '@tensorflow/tfjs';
import type { GlipConfig } from '../config.ts';
import type { PixelImage } from '../image/preprocess.ts';
import { preprocessImage } from '../image/preprocess.ts';
import type { ImageSize } from '../image/target-size.ts';
import type { HeadLevels, PostprocessResult } from '../postprocess/atss.ts';
import { postprocess } from '../postprocess/atss.ts';
import type { DetectionPhrase } from '../postprocess/detection.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { bertEncoder } from './bert.ts';
import type { ForwardSteps } from './forward-steps.ts';
import { fpn } from './fpn.ts';
import { disposeHeadOutputs, type GlipHeadOutputs, groundingHead } from './glip.ts';
import { resnetBody } from './resnet.ts';
import { swinBackbone } from './swin.ts';

export { groundingHead };
export type { GlipHeadOutputs };

/** A model as the forward pass reads it: its config and its weights on the active backend. */
export interface GlipModel {
  config: GlipConfig;
  weights: WeightMap;
}

export interface ImageFeatures {
  /** P3..P7 `[1, H_l, W_l, C]`. */
  levels: tf.Tensor4D[];
  /** The image as given. */
  originalSize: ImageSize;
  /** Resized, unpadded: the size boxes are decoded in. */
  imageSize: ImageSize;
}

export interface LanguageFeatures {
  /** Last BERT layer `[T, D]` for the T real tokens. */
  hidden: tf.Tensor2D;
  /** `[T]` ones: every token is real (no padding). */
  mask: tf.Tensor1D;
}

/** Sizes post-processing needs: the network's (resized, unpadded) and the original image's. */
export interface DecodeSizes {
  imageSize: ImageSize;
  originalSize: ImageSize;
}

/** Longer-side cap of the resize: undefined = the config's MAX_SIZE_TEST, null = none (GLIPDemo). */
export type MaxImageSize = number | null | undefined;

/** Preprocessing, then the visual backbone. The caller disposes `levels`. */
export function* imageFeatures(model: GlipModel, image: PixelImage, maxImageSize: MaxImageSize): ForwardSteps<ImageFeatures> {
  const pre = preprocessImage(image, model.config.input, maxImageSize === undefined ? {} : { maxSize: maxImageSize });
  yield { name: 'image.input', tensors: [pre.input] };
  const levels = yield* visualBackbone(model, pre.input);
  pre.input.dispose();
  return { levels, originalSize: pre.originalSize, imageSize: pre.imageSize };
}

/**
 * input `[1, Hp, Wp, 3]` (stays the caller's) → the body MODEL.BACKBONE.CONV_BODY names (Swin or
 * ResNet: `config.backbone`), C2..C5 → FPN P3..P7 (the caller disposes them).
 */
export function* visualBackbone(model: GlipModel, input: tf.Tensor4D): ForwardSteps<tf.Tensor4D[]> {
  const { backbone, swin } = model.config;
  const stages = backbone.kind === 'resnet' ? resnetBody(input, model.weights, backbone.resnet) : swinBackbone(input, model.weights, swin);
  yield { name: 'backbone.body', tensors: stages };
  const levels = fpn(stages[1], stages[2], stages[3], model.weights);
  tf.dispose(stages);
  yield { name: 'backbone.fpn', tensors: levels };
  return levels;
}

/** BERT on the prompt's token ids `[CLS] … [SEP]`. The caller disposes both tensors. */
export function* languageFeatures(model: GlipModel, inputIds: Int32Array): ForwardSteps<LanguageFeatures> {
  const hidden = yield* bertEncoder(inputIds, model.weights, model.config.bert);
  return { hidden, mask: tf.ones([inputIds.length]) as tf.Tensor1D };
}

/** The head on image and language features (both stay the caller's). */
export function* headOutputs(model: GlipModel, image: { levels: tf.Tensor4D[] }, lang: LanguageFeatures): ForwardSteps<GlipHeadOutputs> {
  return yield* groundingHead(model.weights, model.config, image.levels, lang.hidden, lang.mask);
}

/**
 * ATSS post-processing of the head outputs (which it disposes): boxes in the original image's
 * coordinates, score > threshold, best first; the per-level candidates and the NMS survivors too.
 */
export async function decodeDetections(
  config: GlipConfig,
  head: HeadLevels,
  phrases: readonly DetectionPhrase[],
  sizes: DecodeSizes,
  threshold: number,
): Promise<PostprocessResult> {
  try {
    return await postprocess(head, phrases, {
      ...config.postprocess,
      boxCoderWeights: config.anchors.boxCoderWeights,
      resizedSize: [sizes.imageSize.height, sizes.imageSize.width],
      originalSize: [sizes.originalSize.height, sizes.originalSize.width],
      scoreThreshold: threshold,
    });
  } finally {
    disposeHeadOutputs(head);
  }
}
