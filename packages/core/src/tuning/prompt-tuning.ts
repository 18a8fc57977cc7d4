// GLIP's prompt tuning (`language_prompt_v2`): everything frozen, only an offset `[T, D]` added to the
// prompt's BERT output before the fusion head is trained, with GLIP's detection loss (glip-loss.ts).
//
// What runs per step: the head (fusion, DyHead tower, output heads) forward and backward on each
// example's cached FPN levels; the backbone and BERT ran once, before the first step. On webgpu the head
// runs its plain-tfjs reference path (the fused-kernel switch is off for the run): the fused WGSL
// kernels have no backward, tfjs's autodiff differentiates the reference ops. On wasm and cpu the
// hand-written CPU-side paths stay on: the folded fusion is plain tfjs ops, and the CPU deformable conv
// carries its own gradient (kernels/deform-conv-cpu.ts), several times faster than the reference's
// gathers there.
//
// Cancelling (`signal`) stops the run before its next step and keeps what it learned: the offset after
// the last applied update, stopReason 'cancelled'.
//
// Optimiser: GLIP's README recipe for prompt tuning is SOLVER.BASE_LR 0.05, SOLVER.WEIGHT_DECAY 0.25 on
// the fine-tuning command of the GLIP-T config, whose SOLVER.OPTIMIZER is ADAMW (torch.optim.AdamW:
// β = (0.9, 0.999), ε = 1e-8, decoupled decay p ← p·(1 − lr·wd) before the Adam step). That is what runs
// here, at a constant learning rate (GLIP's warm-up and step schedule are for runs of thousands of
// iterations; a few-shot run in the page is tens of steps). A batch is up to `batchSize` examples (the
// README's SOLVER.IMS_PER_BATCH 4), cycling through the examples; its loss is normalised over the batch
// as GLIP normalises over the images of one iteration.
import * as tf from '@tensorflow/tfjs';
import { TuningDataError } from '../errors.ts';
import { fusedKernelsEnabled, setFusedKernels } from '../kernels/fused-switch.ts';
import { atssAnchors } from '../model/anchors.ts';
import type { GlipModel, ImageFeatures, LanguageFeatures } from '../model/forward-pass.ts';
import { headOutputs } from '../model/forward-pass.ts';
import { runSteps } from '../model/forward-steps.ts';
import { disposeHeadOutputs } from '../model/glip.ts';
import { offsetLanguageFeatures } from '../model/prompt-offset.ts';
import type { EncodedPrompt } from '../text/encode-prompt.ts';
import type { TrainingBox } from './atss-targets.ts';
import { imageLossShare, lossNormalisers } from './glip-loss.ts';
import { GLIP_TUNING_LOSS } from './loss-config.ts';
import { disposeLossTargets, type ImageLossTargets, imageLossTargets } from './loss-targets.ts';

/** A box `[x0, y0, x1, y1]` in the example image's pixels, and the prompt phrase it shows. */
export interface TuningBox {
  box: [number, number, number, number];
  phrase: string;
}

export interface TuningExampleBoxes {
  /** The image's size as given (boxes are checked against it). */
  width: number;
  height: number;
  boxes: readonly TuningBox[];
}

export interface TuneOptions {
  /** Optimiser steps (default 30). */
  steps?: number;
  /** AdamW learning rate (default 0.05, GLIP's prompt-tuning recipe). */
  learningRate?: number;
  /** AdamW decoupled weight decay (default 0.25, GLIP's recipe). */
  weightDecay?: number;
  /** Examples per step (default 4). */
  batchSize?: number;
  /** Aborting stops the run before its next step; it resolves with the offset learned so far (stopReason 'cancelled'). */
  signal?: AbortSignal;
  /**
   * Train only the offset rows of tokens of phrases that some box names; every other row (the other
   * phrases, [CLS], the separators, [SEP]) stays zero. Off by default: GLIP's language_prompt_v2
   * trains every row. For new names added to a prompt whose other names the model already knows, taught
   * on examples of the new ones only (tools/bench/few-shot.ts measures both).
   */
  taughtPhrasesOnly?: boolean;
}

export interface TuneProgress {
  step: number;
  steps: number;
  /** The step's total loss (before its update). */
  loss: number;
  parts: { dotProductToken: number; reg: number; centerness: number };
  examplesPerSecond: number;
}

/** An offset for a prompt: `[T, D]` row-major, T = the prompt's token count ([CLS] … [SEP]). */
export interface PromptOffset {
  offset: Float32Array;
  shape: [number, number];
  /** The token ids it was tuned on, when known: they must be the prompt's own (not just as many). */
  tokenIds?: readonly number[];
}

export interface TunedPrompt extends PromptOffset {
  caption: string;
  tokenIds: number[];
  /** The last finite step loss (computed before that step's update). */
  finalLoss: number;
  /** Steps whose update was applied. */
  steps: number;
  /**
   * `completed`: the offset after the last update; `cancelled`: the same, the signal having stopped the
   * run early. `non-finite-loss`: a step's loss, gradient or offset
   * was NaN/±inf; the run stopped there and returns the offset of the last step whose loss was finite.
   */
  stopReason: 'completed' | 'cancelled' | 'non-finite-loss';
  /** How the run was set up (the defaults filled in), for the tuned-prompt file. */
  settings: { steps: number; learningRate: number; weightDecay: number; batchSize: number; examples: number };
}

export const TUNE_DEFAULTS = { steps: 30, learningRate: 0.05, weightDecay: 0.25, batchSize: 4 } as const;

/** The boxes of each example as TrainingBoxes, or a TuningDataError naming the first bad one. */
export function checkTuningData(examples: readonly TuningExampleBoxes[], prompt: EncodedPrompt): TrainingBox[][] {
  if (examples.length === 0) throw new TuningDataError('no-examples', 'prompt tuning needs at least one example image with boxes');
  const t = prompt.inputIds.length;
  const rowOf = new Map(prompt.phrases.map((p, i) => [normalise(p.text), i]));
  return examples.map(({ width, height, boxes }, e) =>
    boxes.map(({ box, phrase }, b) => {
      const where = `example ${e + 1}, box ${b + 1}`;
      const [x0, y0, x1, y1] = box;
      if (![x0, y0, x1, y1].every(Number.isFinite) || x0 < 0 || y0 < 0 || x1 > width || y1 > height) {
        throw new TuningDataError('box-outside-image', `${where}: [${box.join(', ')}] is not inside the ${width}×${height} image; give pixel coordinates x0, y0, x1, y1 within it`);
      }
      if (!(x1 > x0 && y1 > y0)) throw new TuningDataError('zero-area-box', `${where}: [${box.join(', ')}] has no area; x1 must exceed x0 and y1 exceed y0`);
      const row = rowOf.get(normalise(phrase));
      if (row === undefined) {
        throw new TuningDataError('phrase-not-in-prompt', `${where}: "${phrase}" is not a phrase of the prompt (${prompt.phrases.map((p) => `"${p.text}"`).join(', ')}); add it to the prompt`);
      }
      return { box, tokens: prompt.positiveMap.slice(row * t, (row + 1) * t) };
    }),
  );
}

function normalise(phrase: string): string {
  return phrase.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** One example as the tuning loop holds it: its FPN levels (owned by the loop) and its loss targets. */
export interface CachedExample {
  levels: tf.Tensor4D[];
  targets: ImageLossTargets;
}

/** `[T, 1]`: 1 for the tokens of a phrase some box names (its positive-map row is non-zero there), else 0. */
function taughtRows(boxes: readonly TrainingBox[][], t: number): tf.Tensor2D {
  const mask = new Float32Array(t);
  for (const box of boxes.flat()) box.tokens.forEach((v, i) => v > 0 && (mask[i] = 1));
  return tf.tensor2d(mask, [t, 1]);
}

/**
 * The batch's loss, its parts and d(loss)/d(offset), one example at a time: each example's share of the
 * loss (glip-loss.ts: normalised by the whole batch) is differentiated on its own and the gradients are
 * added, so only one example's tape is alive at once (the fusion's 2048-wide image-token projections
 * of GLIP's VLFuse make each tape large). The same gradient as the batch loss's, up to float order.
 */
export function batchLossGradient(model: GlipModel, lang: LanguageFeatures, offset: tf.Variable<tf.Rank.R2>, batch: readonly CachedExample[], coder: readonly [number, number, number, number]): { value: tf.Scalar; grad: tf.Tensor; parts: tf.Scalar[] } {
  const norm = lossNormalisers(batch.map((ex) => ex.targets));
  let sums: tf.Tensor[] = tf.tidy(() => [tf.scalar(0), tf.zerosLike(offset), tf.scalar(0), tf.scalar(0), tf.scalar(0)]); // loss, grad [T, D], its 3 parts
  for (const ex of batch) {
    let parts: tf.Scalar[] = [];
    const share = tf.variableGrads(() => {
      const shifted = offsetLanguageFeatures(lang, offset);
      const head = runSteps(headOutputs(model, ex, shifted));
      const loss = imageLossShare({ head, targets: ex.targets }, norm, GLIP_TUNING_LOSS, coder);
      disposeHeadOutputs(head);
      tf.dispose([shifted.hidden, shifted.mask]);
      parts = [tf.keep(loss.dotProductToken), tf.keep(loss.reg), tf.keep(loss.centerness)];
      return loss.total;
    }, [offset]);
    const terms = [share.value, share.grads[offset.name], ...parts];
    const next = tf.tidy(() => sums.map((sum, i) => tf.add(sum, terms[i])));
    tf.dispose([...sums, ...terms]);
    sums = next;
  }
  const [value, grad, ...parts] = sums;
  return { value: value as tf.Scalar, grad, parts: parts as tf.Scalar[] };
}

/**
 * Trains the offset on examples whose image features are given (`features[i]` for `boxes[i]`; the loop
 * takes ownership of their levels and disposes them). `lang` stays the caller's.
 */
export async function tunePromptOffset(
  model: GlipModel,
  features: ImageFeatures[],
  boxes: TrainingBox[][],
  lang: LanguageFeatures,
  prompt: EncodedPrompt,
  options: TuneOptions,
  onProgress?: (p: TuneProgress) => void,
): Promise<TunedPrompt> {
  const steps = options.steps ?? TUNE_DEFAULTS.steps;
  const lr = options.learningRate ?? TUNE_DEFAULTS.learningRate;
  const wd = options.weightDecay ?? TUNE_DEFAULTS.weightDecay;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? TUNE_DEFAULTS.batchSize, features.length));
  const coder = model.config.anchors.boxCoderWeights;
  const [t, d] = lang.hidden.shape;
  const examples: CachedExample[] = features.map((f, i) => {
    const scaleX = f.imageSize.width / f.originalSize.width;
    const scaleY = f.imageSize.height / f.originalSize.height;
    const scaled = boxes[i].map(({ box: [x0, y0, x1, y1], tokens }) => ({ box: [x0 * scaleX, y0 * scaleY, x1 * scaleX, y1 * scaleY] as const, tokens }));
    const anchors = atssAnchors(model.config.anchors, f.levels.map((p) => [p.shape[1], p.shape[2]] as [number, number]));
    const targets = imageLossTargets(anchors, scaled, t, GLIP_TUNING_LOSS, coder);
    tf.dispose(anchors);
    return { levels: f.levels, targets };
  });
  const offset = tf.tidy(() => tf.variable(tf.zeros([t, d]), true)) as tf.Variable<tf.Rank.R2>; // tidy frees the initial zeros
  const rowMask = options.taughtPhrasesOnly ? taughtRows(boxes, t) : null; // [T, 1]: 1 on taught tokens
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const wasFused = fusedKernelsEnabled();
  if (tf.getBackend() === 'webgpu') setFusedKernels(false);
  let kept = new Float32Array(t * d); // the offset the last finite loss was computed at
  let finalLoss = Number.NaN;
  let done = 0;
  let stopReason: TunedPrompt['stopReason'] = 'completed';
  try {
    for (let step = 0; step < steps; step++) {
      // A macrotask turn between steps: in a worker, a cancel message can only arrive here (wasm's ops
      // and their data() promises never leave the thread's current task).
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) {
        stopReason = 'cancelled';
        break;
      }
      const started = performance.now();
      const batch = Array.from({ length: batchSize }, (_, k) => examples[(step * batchSize + k) % examples.length]);
      const { value, grad: fullGrad, parts } = batchLossGradient(model, lang, offset, batch, coder);
      const grad = rowMask === null ? fullGrad : tf.mul(fullGrad, rowMask);
      if (grad !== fullGrad) fullGrad.dispose();
      const gradIsFinite = tf.tidy(() => tf.all(tf.isFinite(grad)));
      const [loss, gradFinite, ...partValues] = await Promise.all([
        value.data().then((v) => v[0]),
        gradIsFinite.data().then((v) => v[0] === 1),
        ...parts.map((p) => p.data().then((v) => v[0])),
      ]);
      tf.dispose([...parts, gradIsFinite]);
      const at = new Float32Array((await offset.data()) as Float32Array);
      if (!Number.isFinite(loss) || !gradFinite || !at.every(Number.isFinite)) {
        tf.dispose([value, grad]);
        stopReason = 'non-finite-loss';
        onProgress?.({ step: step + 1, steps, loss, parts: { dotProductToken: partValues[0], reg: partValues[1], centerness: partValues[2] }, examplesPerSecond: 0 });
        break;
      }
      kept = at;
      finalLoss = loss;
      tf.tidy(() => offset.assign(tf.mul(offset, 1 - lr * wd))); // AdamW's decoupled decay, before the Adam step
      optimizer.applyGradients([{ name: offset.name, tensor: grad }]);
      tf.dispose([value, grad]);
      done = step + 1;
      const seconds = (performance.now() - started) / 1000;
      onProgress?.({ step: step + 1, steps, loss, parts: { dotProductToken: partValues[0], reg: partValues[1], centerness: partValues[2] }, examplesPerSecond: batch.length / seconds });
    }
    if (stopReason !== 'non-finite-loss' && done > 0) {
      const last = new Float32Array((await offset.data()) as Float32Array); // after the last update
      if (last.every(Number.isFinite)) kept = last;
    }
  } finally {
    setFusedKernels(wasFused);
    optimizer.dispose();
    rowMask?.dispose();
    offset.dispose();
    for (const ex of examples) {
      tf.dispose(ex.levels);
      disposeLossTargets(ex.targets);
    }
  }
  const settings = { steps, learningRate: lr, weightDecay: wd, batchSize, examples: examples.length };
  return { offset: kept, shape: [t, d], caption: prompt.caption, tokenIds: Array.from(prompt.inputIds), finalLoss, steps: done, stopReason, settings };
}
