import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseConfig, caseJson, caseTensors } from '../testing/fixtures.ts';
import { TEST_BACKENDS, useBackend } from '../testing/backends.ts';
import { matchBoxSets } from '../testing/box-set-compare.ts';
import { compareArrays, fixtureTensor } from '../testing/stage-compare.ts';
import type { SafetensorsFile } from '../weights/safetensors.ts';
import { postprocess } from './atss.ts';
import type { BoxSet, DetectionPhrase } from './detection.ts';
import { phraseScores } from './phrase-scores.ts';

const LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'];

interface RunJson {
  name: string;
  phrases: string[];
  tokens_positive_char_spans: [number, number][][];
  positive_map_label_to_token: Record<string, number[]>;
  demo_threshold: number;
}

function runPhrases(run: RunJson): DetectionPhrase[] {
  return run.phrases.map((text, j) => ({
    text,
    charSpan: run.tokens_positive_char_spans[j][0],
    tokenIndices: run.positive_map_label_to_token[String(j + 1)],
  }));
}

function refSet(f: SafetensorsFile, prefix: string): BoxSet {
  return {
    boxes: f.get(`${prefix}.boxes`).data as Float32Array,
    scores: f.get(`${prefix}.scores`).data as Float32Array,
    labels: Int32Array.from(f.get(`${prefix}.labels`).data),
  };
}

describe.each(TEST_BACKENDS)('postprocess on %s (case-a captured head outputs)', (backend) => {
  beforeAll(() => useBackend(backend));
  const runs = (caseJson().runs as RunJson[]).map((r) => [r.name, r] as const);

  it.each(runs)('%s: phrase scores, candidates, NMS survivors and thresholded detections match', async (name, run) => {
    const f = caseTensors();
    const cfg = caseConfig();
    const phrases = runPhrases(run);
    const head = {
      logits: LEVELS.map((l) => tf.tidy(() => tf.squeeze(fixtureTensor(f, `${name}/head.dot_product_logits.${l}`), [0])) as tf.Tensor2D),
      bboxReg: LEVELS.map((l) => fixtureTensor(f, `${name}/head.bbox_reg.${l}`, true) as tf.Tensor4D),
      centerness: LEVELS.map((l) => fixtureTensor(f, `${name}/head.centerness.${l}`, true) as tf.Tensor4D),
      anchors: LEVELS.map((l) => fixtureTensor(f, `anchors.${l}`) as tf.Tensor2D),
    };
    for (const [i, l] of LEVELS.entries()) {
      const s = phraseScores(head.logits[i], phrases);
      const r = compareArrays(`scores_agg.${l}`, await s.data(), f.get(`${name}/post.scores_agg.${l}`).data);
      s.dispose();
      expect(r.maxAbs, r.stage).toBeLessThanOrEqual(r.tolerance);
    }
    const hw = Array.from(f.get('image.image_sizes').data) as [number, number];
    const orig = Array.from(f.get('image.original_hw').data) as [number, number];
    let result!: Awaited<ReturnType<typeof postprocess>>;
    const profile = await tf.profile(async () => {
      result = await postprocess(head, phrases, {
        ...cfg.postprocess,
        boxCoderWeights: cfg.anchors.boxCoderWeights,
        resizedSize: hw,
        originalSize: orig,
        scoreThreshold: run.demo_threshold,
      });
    });
    // NMS runs on the GPU on webgpu (fused kernels on), on the CPU elsewhere; both must match the official survivors.
    expect(profile.kernelNames.includes('WebglipNms')).toBe(backend === 'webgpu');
    // Inputs are the captured tensors, so every discrete decision must agree exactly.
    for (const [i, l] of LEVELS.entries()) {
      const m = matchBoxSets(result.candidates[i], refSet(f, `${name}/post.candidates.${l}`), 1e-3, 1e-5);
      expect([m.unmatchedGot.length, m.unmatchedRef.length], `candidates ${l}`).toEqual([0, 0]);
    }
    const nms = matchBoxSets(result.afterNms, refSet(f, `${name}/post.after_nms`), 1e-3, 1e-5);
    expect([nms.unmatchedGot.length, nms.unmatchedRef.length], 'after NMS').toEqual([0, 0]);

    const final = refSet(f, `${name}/final.thresholded`);
    expect(result.detections.map((d) => d.phrase)).toEqual(Array.from(final.labels, (lab) => run.phrases[lab - 1]));
    result.detections.forEach((d, i) => {
      for (let c = 0; c < 4; c++) expect(Math.abs(d.box[c] - final.boxes[4 * i + c])).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(d.score - final.scores[i])).toBeLessThanOrEqual(1e-5);
      expect(d.tokenIndices).toEqual(phrases[final.labels[i] - 1].tokenIndices);
    });
    tf.dispose([...head.logits, ...head.bboxReg, ...head.centerness, ...head.anchors]);
  });
});
