// One inference split into the stages of GLIP (the same composition as GlipDetector.detect, with the
// VLDyHead tower unrolled), waiting for the GPU after each stage so every stage gets its own wall
// time. The waits cost a little; end-to-end figures come from GlipDetector itself (end-to-end.ts).
import * as tf from '@tensorflow/tfjs';
import type { GlipConfig } from '@webglip/core/config.ts';
import type { PixelImage } from '@webglip/core/image/preprocess.ts';
import { preprocessImage } from '@webglip/core/image/preprocess.ts';
import { atssAnchors } from '@webglip/core/model/anchors.ts';
import { bertEncoder, bertLayer } from '@webglip/core/model/bert.ts';
import { dyConv } from '@webglip/core/model/dyhead.ts';
import { fpn } from '@webglip/core/model/fpn.ts';
import { vlFuse } from '@webglip/core/model/fusion.ts';
import { glipHeads } from '@webglip/core/model/heads.ts';
import { swinBackbone } from '@webglip/core/model/swin.ts';
import { postprocess } from '@webglip/core/postprocess/atss.ts';
import type { EncodedPrompt } from '@webglip/core/text/encode-prompt.ts';
import type { WeightMap } from '@webglip/core/weights/weight-map.ts';
import { settle } from './gpu.ts';

const TOWER = 'rpn.head.dyhead_tower';

export interface StagedInput {
  w: WeightMap;
  config: GlipConfig;
  image: PixelImage;
  maxImageSize: number | null;
  prompt: EncodedPrompt;
}

/** Runs the whole model once; `stage(name, fn)` wraps each stage (timing it). Returns the detection count. */
export async function stagedInference(input: StagedInput, stage: <T>(name: string, fn: () => T) => Promise<T>): Promise<number> {
  const { w, config } = input;
  const pre = await stage('preprocess', () => preprocessImage(input.image, config.input, { maxSize: input.maxImageSize }));
  const stages = await stage('swin', () => swinBackbone(pre.input, w, config.swin));
  pre.input.dispose();
  const levels = await stage('fpn', () => fpn(stages[1], stages[2], stages[3], w));
  tf.dispose(stages);
  const { hidden } = await stage('bert', () => bertEncoder(input.prompt.inputIds, w, config.bert));
  const mask = tf.ones([input.prompt.inputIds.length]) as tf.Tensor1D;

  let v = levels;
  let l = hidden;
  const textLayer = { numHeads: config.bert.numHeads, layerNormEps: config.bert.layerNormEps, glipClamps: true };
  for (let i = 0; i < config.dyhead.numConvs; i++) {
    const fused = await stage(`dyhead.${i}.fusion`, () => vlFuse(w, `${TOWER}.${3 * i}`, v, l, mask, config.dyhead.fusion.numHeads));
    tf.dispose([...v, l]);
    const lang = await stage(`dyhead.${i}.bert`, () => bertLayer(w, `${TOWER}.${3 * i + 1}`, fused.lang, mask, textLayer));
    fused.lang.dispose();
    const visual = await stage(`dyhead.${i}.dyconv`, () => dyConv(w, `${TOWER}.${3 * i + 2}`, fused.visual, { gnGroups: config.dyhead.gnGroups, gnEps: config.dyhead.gnEps }));
    tf.dispose(fused.visual);
    v = visual;
    l = lang;
  }
  const heads = await stage('heads', () => {
    const out = glipHeads(w, v, l);
    const anchors = atssAnchors(config.anchors, v.map((p) => [p.shape[1], p.shape[2]] as [number, number]));
    return { ...out, anchors };
  });
  tf.dispose([...v, l, mask]);
  const result = await stage('postprocess', () => postprocess(heads, input.prompt.phrases, {
    ...config.postprocess,
    boxCoderWeights: config.anchors.boxCoderWeights,
    resizedSize: [pre.imageSize.height, pre.imageSize.width],
    originalSize: [pre.originalSize.height, pre.originalSize.width],
    scoreThreshold: 0,
  }));
  tf.dispose([...heads.logits, ...heads.bboxReg, ...heads.centerness, ...heads.anchors]);
  return result.detections.length;
}

/** Times each stage (GPU work included) into `into` (ms, accumulated per name). */
export function timingStage(into: Map<string, number>): <T>(name: string, fn: () => T) => Promise<T> {
  return async <T>(name: string, fn: () => T): Promise<T> => {
    await settle();
    const started = performance.now();
    const value = await fn();
    await settle();
    into.set(name, (into.get(name) ?? 0) + performance.now() - started);
    return value;
  };
}

