// One inference, stage by stage: the engine's forward pass (model/forward-pass.ts) run with runStaged,
// so `stage` wraps each of its stages (waiting for the GPU around it, timing or profiling it), then
// post-processing. The waits cost a little; end-to-end figures come from GlipDetector itself
// (end-to-end.ts). Stage names are the bench's: the pass's, with BERT's layers as one `bert` stage.
import * as tf from '@tensorflow/tfjs';
import type { PixelImage } from '@webglip/core/engine';
import { decodeDetections, type GlipModel, headOutputs, imageFeatures, languageFeatures } from '@webglip/core/engine';
import { runStaged, type Stage } from '@webglip/core/engine';
import type { EncodedPrompt } from '@webglip/core/engine';
import { settle } from './gpu.ts';

export interface StagedInput {
  model: GlipModel;
  image: PixelImage;
  maxImageSize: number | null;
  prompt: EncodedPrompt;
}

/**
 * Wraps one stage: awaits `fn` (once), which does the stage's work and returns its bench name (null:
 * nothing to record, the end of a part of the pass), waiting for the GPU / timing / profiling around it.
 */
export type StageWrapper = (fn: () => Promise<string | null>) => Promise<void>;

const BENCH_NAMES: Record<string, string> = { 'image.input': 'preprocess', 'backbone.fpn': 'fpn', head: 'heads' };

/** The bench's name of a forward-pass stage; the visual body is named for its kind ('swin' or 'resnet'). */
function benchName(stage: Stage, body: string): string {
  if (stage.name.startsWith('lang.bert.')) return 'bert';
  if (stage.name === 'backbone.body') return body;
  return BENCH_NAMES[stage.name] ?? stage.name.replace(/\.fuse$/, '.fusion');
}

/** Runs the whole model once, each stage inside `stage`. Returns the detection count. */
export async function stagedInference(input: StagedInput, stage: StageWrapper): Promise<number> {
  const { model } = input;
  const wrap = (runStage: () => Stage | null) =>
    stage(async () => {
      const s = runStage();
      return s === null ? null : benchName(s, model.config.backbone.kind);
    });
  const image = await runStaged(imageFeatures(model, input.image, input.maxImageSize), wrap);
  const lang = await runStaged(languageFeatures(model, input.prompt.inputIds), wrap);
  const head = await runStaged(headOutputs(model, image, lang), wrap);
  tf.dispose([...image.levels, lang.hidden, lang.mask]);
  let detections = 0;
  await stage(async () => {
    detections = (await decodeDetections(model.config, head, input.prompt.phrases, image, 0)).detections.length;
    return 'postprocess';
  });
  return detections;
}

/** Times each stage (GPU work included) into `into` (ms, accumulated per name). */
export function timingStage(into: Map<string, number>): StageWrapper {
  return async (fn) => {
    await settle();
    const started = performance.now();
    const name = await fn();
    await settle();
    if (name !== null) into.set(name, (into.get(name) ?? 0) + performance.now() - started);
  };
}
