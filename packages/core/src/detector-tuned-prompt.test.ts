// GlipDetector with a tuned-prompt file (random-weight toy model, cpu): the model's identity is the
// sha256 of its shards' sha256sum listing (computed here with node:crypto from the shard bytes),
// detectTuned is detect with the file's caption and offset (also after a write and read), and a file
// for another model, another caption or another width is a TunedPromptError before anything runs.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlipDetector } from './detector.ts';
import { TunedPromptError } from './errors.ts';
import { seededRandom } from './kernels/check-util.ts';
import { useBackend } from './testing/backends.ts';
import { noiseImage } from './testing/noise-image.ts';
import { RANDOM_MODEL_SHARD, randomModelFiles, randomModelFolder } from './testing/random-model.ts';
import type { TunedPromptFile } from './tuning/tuned-prompt-file.ts';
import { decodeTunedPrompt, encodeTunedPrompt } from './tuning/tuned-prompt-file.ts';

const PROMPT = 'red circle . blue square';
const IMAGE = noiseImage(48, 40, 5);

describe('GlipDetector.detectTuned (random-weight model, cpu)', () => {
  let detector: GlipDetector;
  let tuned: TunedPromptFile;
  beforeAll(async () => {
    await useBackend('cpu');
    detector = await GlipDetector.load(await randomModelFiles(), { cache: null });
    const encoded = await detector.encodePrompt(PROMPT);
    const t = encoded.inputIds.length;
    const random = seededRandom(11);
    tuned = {
      modelSha256: detector.modelSha256!,
      caption: encoded.caption,
      phrases: encoded.phrases.map((p) => p.charSpan),
      tokenIds: Array.from(encoded.inputIds),
      shape: [t, 16],
      offset: Float32Array.from({ length: t * 16 }, () => (random() - 0.5) * 4),
      dtype: 'f32',
      training: { examples: 1, shots: null, steps: 1, stepsRun: 1, learningRate: 0.05, weightDecay: 0.25, batchSize: 1 },
      finalLoss: 1,
      stopReason: 'completed',
    };
  });
  afterAll(() => detector.dispose());

  it('is identified by the sha256 of its shards\' sha256sum listing', async () => {
    const shard = (await randomModelFolder()).get(RANDOM_MODEL_SHARD)!;
    const listing = `${createHash('sha256').update(shard).digest('hex')}  ${RANDOM_MODEL_SHARD}\n`;
    expect(detector.modelSha256).toBe(createHash('sha256').update(listing).digest('hex'));
  });

  it('detects with the file\'s caption and offset, as detect with that offset does, and leaves no tensor behind', async () => {
    const plain = await detector.detect(IMAGE, PROMPT, { threshold: 0 });
    const before = tf.memory().numTensors;
    const withOffset = await detector.detect(IMAGE, PROMPT, { threshold: 0, promptOffset: tuned });
    const fromFile = await detector.detectTuned(IMAGE, tuned, { threshold: 0 });
    const reread = await detector.detectTuned(IMAGE, await decodeTunedPrompt(await encodeTunedPrompt(tuned)), { threshold: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(fromFile.length).toBeGreaterThan(0);
    expect(fromFile).toEqual(withOffset);
    expect(reread).toEqual(fromFile);
    expect(fromFile.map((d) => d.score)).not.toEqual(plain.map((d) => d.score));
    expect(new Set(fromFile.map((d) => d.phrase))).toEqual(new Set(['red circle', 'blue square']));
  });

  it('rejects a file for another model, another caption or another width, running nothing', async () => {
    const runs = { ...detector.counters };
    const reason = (file: TunedPromptFile) => detector.detectTuned(IMAGE, file).then(() => 'detected', (e: unknown) => (e instanceof TunedPromptError ? e.reason : String(e)));
    expect(await reason({ ...tuned, modelSha256: 'cd'.repeat(32) })).toBe('other-model');
    expect(await reason({ ...tuned, tokenIds: tuned.tokenIds.map((id, i) => (i === 2 ? id + 1 : id)) })).toBe('other-caption');
    expect(await reason({ ...tuned, caption: 'red circle . blue squares', tokenIds: tuned.tokenIds })).toBe('other-caption');
    expect(await reason({ ...tuned, shape: [tuned.shape[0], 8], offset: tuned.offset.slice(0, tuned.shape[0] * 8) })).toBe('shape');
    expect(detector.counters.backboneRuns).toBe(runs.backboneRuns);
    expect(detector.counters.detectRuns).toBe(runs.detectRuns);
  });
});
