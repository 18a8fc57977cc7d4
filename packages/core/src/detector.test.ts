import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from './detector.ts';
import { GlipDetector } from './detector.ts';
import { GlipError, PromptError } from './errors.ts';
import type { PixelImage } from './image/preprocess.ts';
import { TEST_BACKENDS, useBackend } from './testing/backends.ts';
import { loadCaseWeights } from './testing/case-weights.ts';
import { CASE_A_DIR, caseConfig, caseJson } from './testing/fixtures.ts';
import type { CharSpan } from './text/bert-normalizer.ts';
import type { PromptInput } from './text/prompt.ts';
import { captionPrompt } from './text/prompt.ts';
import { testTokenizer } from './testing/test-tokenizer.ts';
import { BertTokenizer } from './text/tokenizer.ts';
import { BERT_TOKENIZER_JSON } from './testing/test-tokenizer.ts';

interface OfficialDetection {
  box_xyxy: [number, number, number, number];
  score: number;
  label: number;
  phrase: string;
}

interface CaseRun {
  name: string;
  demo_input: string | string[];
  tokens_positive_char_spans: CharSpan[][];
  demo_threshold: number;
  final_detections_original_coords: OfficialDetection[];
}

const RUNS = caseJson().runs as CaseRun[];

// One end-to-end detect takes ~1 min on tfjs cpu here but > 5 min on SwiftShader WebGPU, so webgpu is
// opt-in (WEBGLIP_E2E_WEBGPU=1); every stage has its own cpu + webgpu parity test in model/.
const BACKENDS = process.env.WEBGLIP_E2E_WEBGPU === '1' ? TEST_BACKENDS : (['cpu'] as const);

function caseImage(): PixelImage {
  const png = PNG.sync.read(readFileSync(resolve(CASE_A_DIR, 'image.png')));
  return { data: png.data, width: png.width, height: png.height };
}

/** The prompt GLIPDemo was given in a case-a run. */
function runPrompt(run: CaseRun): PromptInput {
  return Array.isArray(run.demo_input) ? run.demo_input : captionPrompt(run.demo_input, run.tokens_positive_char_spans.map((s) => s[0]));
}

/** Every official detection has one of ours with the same phrase, a box within 0.05 px and a score within 1e-4. */
function expectSameDetections(ours: Detection[], official: OfficialDetection[]): void {
  expect(ours).toHaveLength(official.length);
  const unmatched = [...ours];
  for (const o of official) {
    const i = unmatched.findIndex(
      (d) => d.phrase === o.phrase && Math.abs(d.score - o.score) <= 1e-4 && d.box.every((v, k) => Math.abs(v - o.box_xyxy[k]) <= 0.05),
    );
    expect(i, `official ${JSON.stringify(o)} among ${JSON.stringify(unmatched)}`).toBeGreaterThanOrEqual(0);
    unmatched.splice(i, 1);
  }
  for (let k = 1; k < ours.length; k++) expect(ours[k].score).toBeLessThanOrEqual(ours[k - 1].score);
}

describe.each(BACKENDS)('GlipDetector on %s (case-a)', (backend) => {
  let detector: GlipDetector;
  beforeAll(async () => {
    await useBackend(backend);
    // A detector of its own tokenizer: dispose() frees it.
    detector = new GlipDetector(caseConfig(), await loadCaseWeights(), BertTokenizer.fromJson(readFileSync(BERT_TOKENIZER_JSON, 'utf8')), null);
  });
  afterAll(() => detector.dispose());

  const runs = backend === 'cpu' ? RUNS : RUNS.slice(0, 1);
  it.each(runs.map((r) => [r.name, r] as const))('run "%s": the thresholded detections of GLIPDemo', async (_, run) => {
    const detections = await detector.detect(caseImage(), runPrompt(run), { threshold: run.demo_threshold });
    expectSameDetections(detections, run.final_detections_original_coords);
    const phrase = detections[0];
    expect(phrase.tokenIndices.length).toBeGreaterThan(0);
    expect(phrase.charSpan[1]).toBeGreaterThan(phrase.charSpan[0]);
  });

  it.runIf(backend === 'cpu')('caches BERT per prompt and the backbone per image', async () => {
    // The two runs above detected on one image with two prompts: one backbone run, two BERT runs.
    expect(detector.counters).toEqual({ backboneRuns: 1, textRuns: 2, detectRuns: 2 });
    const image = caseImage(); // same pixels, another buffer
    await detector.encodeImage(image);
    await detector.encodePrompt(runPrompt(RUNS[0]));
    expect(detector.counters).toEqual({ backboneRuns: 1, textRuns: 2, detectRuns: 2 });

    image.data[0] ^= 0xff; // a new frame: the backbone runs, BERT does not
    await detector.encodeImage(image);
    await detector.encodePrompt(runPrompt(RUNS[0]));
    expect(detector.counters).toEqual({ backboneRuns: 2, textRuns: 2, detectRuns: 2 });

    await detector.encodePrompt('red circle. blue square'); // an edited prompt: BERT runs, the backbone does not
    expect(detector.counters).toEqual({ backboneRuns: 2, textRuns: 3, detectRuns: 2 });
  });

  it.runIf(backend === 'cpu')('rejects an empty prompt with a PromptError before running anything', async () => {
    const before = { ...detector.counters };
    await expect(detector.detect(caseImage(), '  . ', { threshold: 0.5 })).rejects.toThrow(PromptError);
    expect(detector.counters).toEqual(before);
  });
});

describe('GlipDetector.dispose', () => {
  it('frees everything and refuses further work', async () => {
    await useBackend('cpu');
    const detector = new GlipDetector(caseConfig(), await loadCaseWeights(), BertTokenizer.fromJson(readFileSync(BERT_TOKENIZER_JSON, 'utf8')));
    detector.dispose();
    await expect(detector.encodePrompt('dog')).rejects.toThrow(GlipError);
    expect(testTokenizer().encode('dog').tokens).toEqual(['[CLS]', 'dog', '[SEP]']); // the shared test tokenizer is untouched
  });
});
