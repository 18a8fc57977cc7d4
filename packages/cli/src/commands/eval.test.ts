// `webglip eval`: scoring a COCO results file, the phrase → category mapping of engine detections,
// and the whole engine path on case-a (converted model, official detections as ground truth).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { EvalDataError } from '@webglip/core/engine';
import { CASE_A_DIR, caseJson } from '@webglip/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CocoEvalResult } from '../eval/coco-eval.ts';
import { detectionsToResults } from '../eval/grounding-data.ts';
import type { GroundingPrompt } from '../eval/grounding-data.ts';
import { run as convert } from './convert.ts';
import { run } from './eval.ts';
import { quietRun as quietRunCommand } from '../testing/quiet-run.ts';

const work = mkdtempSync(join(tmpdir(), 'webglip-eval-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const quietRun = (argv: string[]) => quietRunCommand(run, argv);

const listPrompt: GroundingPrompt = {
  style: 'list',
  caption: 'red circle. blue square.',
  phrases: [
    { text: 'red circle', char_span: [0, 10], category_id: 1, annotation_ids: [1, 2] },
    { text: 'blue square', char_span: [12, 23], category_id: 2, annotation_ids: [] },
  ],
};

const tinyData = {
  images: [
    { id: 1, file_name: 'images/000001.png', width: 320, height: 320, prompts: [listPrompt] },
    { id: 2, file_name: 'images/000002.png', width: 320, height: 320, prompts: [{ ...listPrompt, phrases: listPrompt.phrases.map((p) => ({ ...p, annotation_ids: [] })) }] },
  ],
  annotations: [
    { id: 1, image_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, category_id: 1 },
    { id: 2, image_id: 1, bbox: [20, 0, 10, 10], area: 100, iscrowd: 0, category_id: 1 },
  ],
  categories: [
    { id: 1, name: 'red circle' },
    { id: 2, name: 'blue square' },
  ],
};

describe('webglip eval --predictions', () => {
  const dataPath = join(work, 'tiny.json');
  writeFileSync(dataPath, JSON.stringify(tinyData));

  it('scores a COCO results file: TP, FP, TP → AP 253/303 for red circle; blue square has no ground truth', async () => {
    // Same arithmetic as the evaluator's hand case: recall .5,.5,1 and precision 1,.5,2/3 →
    // (51·1 + 50·2/3)/101 = 253/303 at every IoU threshold. The blue-square detection on image 2 has no
    // ground truth anywhere → that category is left out.
    const preds = [
      { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
      { image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], score: 0.8 },
      { image_id: 1, category_id: 1, bbox: [20, 0, 10, 10], score: 0.7 },
      { image_id: 2, category_id: 2, bbox: [0, 0, 10, 10], score: 0.99 },
    ];
    const predPath = join(work, 'preds.json');
    writeFileSync(predPath, JSON.stringify(preds));
    const { code, out } = await quietRun(['--data', dataPath, '--predictions', predPath, '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out) as CocoEvalResult;
    expect(r.ap).toBeCloseTo(253 / 303, 12);
    expect(r.ap50).toBeCloseTo(253 / 303, 12);
    expect(r.ar100).toBe(1);
    expect(r.perCategory.map((c) => [c.name, c.numGt, c.numDetections, c.ap === null])).toEqual([['red circle', 2, 3, false], ['blue square', 0, 1, true]]);

    // --limit 1 drops image 2 (and its detection) before scoring; the table names each phrase.
    const table = await quietRun(['--data', dataPath, '--predictions', predPath, '--limit', '1']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^AP 0\.835 {2}AP50 0\.835 {2}AP75 0\.835 {2}AR@100 1\.000 {2}\(1 images, 2 boxes, 3 detections\)/);
    expect(table.out).toMatch(/red circle +2 +3 +0\.835/);
    expect(table.out).not.toContain('blue square');
  });

  it('refuses predictions for unknown images or categories, and bad usage', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ image_id: 9, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]));
    const r = await quietRun(['--data', dataPath, '--predictions', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/image_id 9 is not an image of the data set/);
    expect((await quietRun(['--data', dataPath])).code).toBe(2);
    const both = await quietRun(['--data', dataPath, '--predictions', bad, '--model', work]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/webglip eval: give one of --model .* and --predictions/);
    const backend = await quietRun(['--data', dataPath, '--model', work, '--backend', 'gpu']);
    expect(backend.code).toBe(2);
    expect(backend.err).toMatch(/unknown --backend "gpu" \(expected one of: auto, webgpu, wasm, cpu\)/);
    expect((await quietRun(['--data', dataPath, '--predictions', bad, '--threshold', '2'])).err).toMatch(/--threshold "2" is not a number from 0 to 1/);
  });
});

describe('detections → COCO results', () => {
  it('takes the category of the phrase with the same char span and converts inclusive xyxy to xywh (+1)', () => {
    const results = detectionsToResults(7, listPrompt, [
      { box: [10, 20, 19, 39], score: 0.8, phrase: 'blue square', charSpan: [12, 23], tokenIndices: [3, 4] },
      { box: [0, 0, 9.5, 9.5], score: 0.6, phrase: 'red circle', charSpan: [0, 10], tokenIndices: [1, 2] },
    ]);
    expect(results).toEqual([
      { image_id: 7, category_id: 2, bbox: [10, 20, 10, 20], score: 0.8 },
      { image_id: 7, category_id: 1, bbox: [0, 0, 10.5, 10.5], score: 0.6 },
    ]);
    expect(() => detectionsToResults(7, listPrompt, [{ box: [0, 0, 1, 1], score: 1, phrase: 'x', charSpan: [1, 3], tokenIndices: [] }])).toThrow(EvalDataError);
  });
});

interface OfficialRun {
  name: string;
  demo_input: string | string[];
  tokens_positive_char_spans: Array<Array<[number, number]>>;
  demo_threshold: number;
  final_detections_original_coords: Array<{ box_xyxy: [number, number, number, number]; score: number; phrase: string }>;
}

describe('webglip eval --model (case-a, cpu)', () => {
  it('runs the engine with each image\'s list prompt; official detections as ground truth score AP ≈ 1', async () => {
    // Ground truth = GLIPDemo's 9 final detections of case-a's list run, converted like ours (w = x1 − x0 + 1).
    // The engine reproduces them (box within 0.05 px, see detector.test.ts), so every one is matched at
    // every IoU threshold with nothing else scoring: AP = AP50 = AP75 = 1 (to 1e-12), recall 1.
    const official = (caseJson().runs as OfficialRun[]).find((r) => r.name === 'prompt');
    if (!official || !Array.isArray(official.demo_input)) throw new Error('case-a has no list run named "prompt"');
    const names = official.demo_input;
    const caption = names.map((n) => `${n} . `).join('');
    const spans = official.tokens_positive_char_spans.map((s) => s[0]);
    expect(spans.map(([a, b]) => caption.slice(a, b))).toEqual(names);
    const annotations = official.final_detections_original_coords.map((d, i) => {
      const [x0, y0, x1, y1] = d.box_xyxy;
      return { id: i + 1, image_id: 1, bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1], iscrowd: 0, category_id: names.indexOf(d.phrase) + 1 };
    });
    const data = {
      images: [{
        id: 1,
        file_name: 'images/case-a.png',
        prompts: [{
          style: 'list',
          caption,
          phrases: names.map((n, i) => ({ text: n, char_span: spans[i], category_id: i + 1, annotation_ids: annotations.filter((a) => a.category_id === i + 1).map((a) => a.id) })),
        }],
      }],
      annotations,
      categories: names.map((name, i) => ({ id: i + 1, name })),
    };
    const dir = join(work, 'case-a-data');
    mkdirSync(join(dir, 'images'), { recursive: true });
    copyFileSync(resolve(CASE_A_DIR, 'image.png'), join(dir, 'images/case-a.png'));
    writeFileSync(join(dir, 'annotations.json'), JSON.stringify(data));

    const model = join(work, 'case-a-model');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await convert([resolve(CASE_A_DIR, 'model.pth'), model, '--config', resolve(CASE_A_DIR, 'config.yaml'), '--bert-config', resolve(CASE_A_DIR, 'case.json')])).toBe(0);
    } finally {
      log.mockRestore();
    }

    const saved = join(work, 'engine-preds.json');
    const { code, out, err } = await quietRun(['--data', join(dir, 'annotations.json'), '--model', model, '--backend', 'cpu', '--threshold', String(official.demo_threshold), '--save-predictions', saved, '--json']);
    expect(code, err).toBe(0);
    expect(tf.getBackend()).toBe('cpu');
    const r = JSON.parse(out) as CocoEvalResult;
    expect(r.numDetections).toBe(9);
    for (const v of [r.ap, r.ap50, r.ap75, r.ar100]) expect(v).toBeCloseTo(1, 12);
    expect(r.perCategory.map((c) => [c.name, c.numGt, c.numDetections])).toEqual([['red circle', 1, 1], ['blue square', 4, 4], ['green triangle', 4, 4]]);
    const preds = JSON.parse(readFileSync(saved, 'utf8')) as Array<{ category_id: number; score: number }>;
    expect(preds.map((p) => p.category_id).sort()).toEqual(annotations.map((a) => a.category_id).sort());
  });
});
