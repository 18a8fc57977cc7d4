// GlipDetector.tunePrompt on the random-weight toy model (32 px input, testing/random-model.ts), cpu and
// wasm backends: the loss falls over a few steps, detect with the tuned offset differs from without, no
// tensor is left behind, bad examples are typed errors, a non-finite loss stops and keeps the last
// finite offset. The loss itself is checked against the official code in tuning/glip-loss.test.ts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlipDetector, type TuningExample, type TuneProgress } from './detector.ts';
import { PromptOffsetError, TuningDataError } from './errors.ts';
import { createBackend } from './runtime/device.ts';
import { useBackend } from './testing/backends.ts';
import { noiseImage } from './testing/noise-image.ts';
import { randomModelFiles } from './testing/random-model.ts';

const PROMPT = 'red circle . blue square';
const EXAMPLES: TuningExample[] = [
  { image: noiseImage(48, 40, 1), boxes: [{ box: [4, 6, 30, 34], phrase: 'red circle' }, { box: [28, 2, 46, 20], phrase: 'blue square' }] },
  { image: noiseImage(40, 48, 2), boxes: [{ box: [10, 10, 36, 40], phrase: 'blue square' }] },
];

// wasm as well: the page tunes there on a software adapter, and tfjs's wasm backend lacks kernels that
// tfjs's own gradients use (UnsortedSegmentSum, Conv2DBackpropFilter).
describe.each(['cpu', 'wasm'] as const)('GlipDetector.tunePrompt on %s (random-weight model, 32 px)', (backend) => {
  let detector: GlipDetector;
  beforeAll(async () => {
    if (backend === 'cpu') await useBackend('cpu');
    else expect((await createBackend('wasm')).kind).toBe('wasm');
    detector = await GlipDetector.load(await randomModelFiles(), { cache: null });
  });
  afterAll(() => detector.dispose());

  it('lowers the loss, changes detections, and leaves no tensor behind', { timeout: 300_000 }, async () => {
    // Caches the prompt and both images (the image cache holds 2): those features are the detector's, not the run's.
    for (const e of EXAMPLES) await detector.detect(e.image, PROMPT);
    const before = tf.memory().numTensors;
    const progress: TuneProgress[] = [];
    const tuned = await detector.tunePrompt(EXAMPLES, PROMPT, { steps: 8, learningRate: 0.05 }, (p) => progress.push(p));
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.every((p) => p.steps === 8 && Number.isFinite(p.loss) && p.examplesPerSecond > 0)).toBe(true);
    const p0 = progress[0];
    expect(p0.loss).toBeCloseTo(p0.parts.dotProductToken + p0.parts.reg + p0.parts.centerness, 4);
    console.log('losses', progress.map((p) => p.loss.toFixed(4)).join(' '));
    expect(progress[7].loss).toBeLessThan(progress[0].loss);
    expect(tuned.stopReason).toBe('completed');
    expect(tuned.steps).toBe(8);
    expect(tuned.finalLoss).toBe(progress[7].loss);
    const encoded = await detector.encodePrompt(PROMPT);
    expect(tuned.tokenIds).toEqual(Array.from(encoded.inputIds));
    expect(tuned.caption).toBe(encoded.caption);
    expect(tuned.shape).toEqual([encoded.inputIds.length, 16]);
    expect(tuned.offset.some((v) => v !== 0)).toBe(true);

    const plain = await detector.detect(EXAMPLES[1].image, PROMPT, { threshold: 0 });
    const withOffset = await detector.detect(EXAMPLES[1].image, PROMPT, { threshold: 0, promptOffset: tuned });
    expect(withOffset.length).toBeGreaterThan(0);
    expect(withOffset.map((d) => d.score)).not.toEqual(plain.map((d) => d.score));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('taughtPhrasesOnly: only the rows of phrases a box names move; the rest stay zero', { timeout: 300_000 }, async () => {
    const examples: TuningExample[] = [{ image: EXAMPLES[1].image, boxes: EXAMPLES[1].boxes }]; // "blue square" only
    const tuned = await detector.tunePrompt(examples, PROMPT, { steps: 3, taughtPhrasesOnly: true });
    const encoded = await detector.encodePrompt(PROMPT);
    const [t, d] = tuned.shape;
    const taught = new Set(encoded.phrases.find((p) => p.text === 'blue square')!.tokenIndices);
    for (let row = 0; row < t; row++) {
      const moved = tuned.offset.subarray(row * d, (row + 1) * d).some((v) => v !== 0);
      expect(moved, `row ${row}${taught.has(row) ? ' (blue square)' : ''}`).toBe(taught.has(row));
    }
    const all = await detector.tunePrompt(examples, PROMPT, { steps: 3 });
    expect(all.offset.subarray(0, d).some((v) => v !== 0), 'GLIP trains every row, [CLS] too').toBe(true);
  });

  it('rejects bad examples with typed errors before running anything', async () => {
    const runs = detector.counters.backboneRuns;
    const reason = (examples: TuningExample[]) => detector.tunePrompt(examples, PROMPT, { steps: 1 }).then(() => 'resolved', (e: unknown) => (e instanceof TuningDataError ? e.reason : String(e)));
    const image = EXAMPLES[0].image;
    expect(await reason([])).toBe('no-examples');
    expect(await reason([{ image, boxes: [{ box: [-1, 0, 10, 10], phrase: 'red circle' }] }])).toBe('box-outside-image');
    expect(await reason([{ image, boxes: [{ box: [0, 0, 49, 10], phrase: 'red circle' }] }])).toBe('box-outside-image');
    expect(await reason([{ image, boxes: [{ box: [5, 5, 5, 20], phrase: 'red circle' }] }])).toBe('zero-area-box');
    expect(await reason([{ image, boxes: [{ box: [0, 0, 10, 10], phrase: 'green triangle' }] }])).toBe('phrase-not-in-prompt');
    expect(detector.counters.backboneRuns).toBe(runs);
  });

  it('rejects an offset of another shape in detect', async () => {
    const offset = { offset: new Float32Array(3 * 16), shape: [3, 16] as [number, number] };
    await expect(detector.detect(EXAMPLES[0].image, PROMPT, { promptOffset: offset })).rejects.toBeInstanceOf(PromptOffsetError);
  });

  it('rejects an offset tuned on other tokens, and knows its model for tuned-prompt files', async () => {
    const encoded = await detector.encodePrompt(PROMPT);
    const t = encoded.inputIds.length;
    const d = detector.config.bert.hiddenSize;
    const tokenIds = Array.from(encoded.inputIds);
    const fits = { offset: new Float32Array(t * d), shape: [t, d] as [number, number], tokenIds };
    expect((await detector.detect(EXAMPLES[0].image, PROMPT, { promptOffset: fits })).length).toBeGreaterThanOrEqual(0);
    const other = { ...fits, tokenIds: tokenIds.map((id, i) => (i === 2 ? id + 1 : id)) };
    await expect(detector.detect(EXAMPLES[0].image, PROMPT, { promptOffset: other })).rejects.toThrow(/tuned on other tokens/);
    expect(detector.modelSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops at a non-finite loss and keeps the last finite offset', { timeout: 120_000 }, async () => {
    const before = tf.memory().numTensors;
    const progress: TuneProgress[] = [];
    // A NaN learning rate makes the first update NaN: step 1's loss is finite, step 2's is not.
    const tuned = await detector.tunePrompt(EXAMPLES, PROMPT, { steps: 4, learningRate: Number.NaN }, (p) => progress.push(p));
    expect(tuned.stopReason).toBe('non-finite-loss');
    expect(tuned.steps).toBe(1);
    expect(tuned.offset.every((v) => v === 0)).toBe(true); // the zero start, at which step 1's loss was finite
    expect(Number.isFinite(tuned.finalLoss)).toBe(true);
    expect(progress.length).toBe(2);
    // On cpu the NaN offset makes step 2's loss NaN; on wasm the bi-attention's score clamp (XNNPACK's
    // min/max) turns NaN scores into the clamp bounds, so the loss stays finite and the NaN gradient or
    // offset is what stops the run.
    if (backend === 'cpu') expect(Number.isNaN(progress[1].loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is cancelled by an AbortSignal between steps, keeps the offset learned so far, leaves no tensor behind', { timeout: 120_000 }, async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const steps: number[] = [];
    const run = detector.tunePrompt(EXAMPLES, PROMPT, { steps: 5, signal: controller.signal }, (p) => {
      steps.push(p.step);
      if (p.step === 1) controller.abort(new Error('user cancelled'));
    });
    const tuned = await run;
    expect(steps).toEqual([1]);
    expect(tuned.stopReason).toBe('cancelled');
    expect(tuned.steps).toBe(1);
    expect(tuned.offset.some((v) => v !== 0)).toBe(true); // step 1's update, kept
    expect(tf.memory().numTensors).toBe(before);
  });
});
