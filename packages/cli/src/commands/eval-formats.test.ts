// `webglip eval` on the benchmark files people have: plain COCO instances, LVIS v1 and MDETR/GLIP
// flickr phrase grounding (fixtures in ../eval/fixtures, made by fixtures/make-fixtures.py or by
// hand). Scores of results files are compared with cocoeval-reference.py's (an independent numpy
// COCOeval / LVISEval, itself checked against pycocotools) or with hand-checked recall; the engine
// path runs case-a's converted model at 64 px (cheap) on tfjs cpu; bad input ends in a typed error,
// exit code 1 and no file written.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyModelFolder } from '@webglip/core/testing';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoEvalResult, DetectionResult } from '../eval/coco-eval.ts';
import { evaluateBoxes } from '../eval/coco-eval.ts';
import type { FlickrEvalResult } from '../eval/flickr-eval.ts';
import type { LvisEvalResult } from '../eval/lvis-eval.ts';
import { quietRun as quietRunCommand } from '../testing/quiet-run.ts';
import { run } from './eval.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../eval/fixtures');
const fixture = (name: string): string => join(FIXTURES, name);
const FIXTURE_IMAGES = fixture('images');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const expected = readJson<{ expected: Record<string, Record<string, number | null> & { perCategory?: Array<Record<string, number | null>> }> }>(fixture('fixtures-expected.json')).expected;

const work = mkdtempSync(join(tmpdir(), 'webglip-eval-formats-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const quietRun = (argv: string[]) => quietRunCommand(run, argv);

const same = (ours: number | null | undefined, theirs: number | null | undefined): void => {
  if (theirs === null || theirs === undefined) expect(ours ?? null).toBeNull();
  else expect(ours).toBeCloseTo(theirs, 12);
};

describe('webglip eval --predictions on the fixtures', () => {
  it("plain COCO instances (crowd region, area ranges): glip-nano's detections score what the numpy COCOeval gives", async () => {
    const { code, out, err } = await quietRun(['--data', fixture('coco-instances.json'), '--predictions', fixture('coco-instances.glip-nano-results.json'), '--json']);
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as CocoEvalResult & { format: string };
    expect(r.format).toBe('coco');
    const e = expected['coco-instances.glip-nano-results.json'];
    for (const k of ['ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'ar1', 'ar10', 'ar100', 'arSmall', 'arMedium', 'arLarge'] as const) same(r[k], e[k]);
    e.perCategory?.forEach((c, i) => {
      for (const k of ['ap', 'ap50', 'ap75', 'recall50', 'recall'] as const) same(r.perCategory[i][k], c[k]);
    });
    expect(r.numGt).toBe(8); // the crowd region is not a box to find
    const table = await quietRun(['--data', fixture('coco-instances.json'), '--predictions', fixture('coco-instances.glip-nano-results.json')]);
    expect(table.out).toMatch(/^AP 0\.749 {2}AP50 0\.958 {2}AP75 0\.958 {2}AR@100 0\.789 {2}\(2 images, 8 boxes, 400 detections\)\nAP_small 0\.800 {2}AP_medium 0\.738 {2}AP_large {5}- {2}AR@1 0\.650/);
  });

  it('LVIS v1 (coco_url, neg / not-exhaustive lists, frequencies): fixed AP and AP_r/c/f as the numpy LVISEval gives', async () => {
    const { code, out, err } = await quietRun(['--data', fixture('lvis-v1.json'), '--predictions', fixture('lvis-v1.results.json'), '--json']);
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as LvisEvalResult & { format: string };
    expect(r.format).toBe('lvis');
    const e = expected['lvis-v1.results.json'];
    for (const k of ['ap', 'ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'apRare', 'apCommon', 'apFrequent', 'ar'] as const) same(r[k], e[k]);
    const table = await quietRun(['--data', fixture('lvis-v1.json'), '--predictions', fixture('lvis-v1.results.json')]);
    expect(table.out).toMatch(/AP_r 0\.034 {2}AP_c 0\.207 {2}AP_f 0\.550/);
  });

  it('flickr phrase grounding: R@1/5/10 and the upper bound, ANY-BOX, as checked by hand', async () => {
    // 6 phrases (placed by fixtures/make-fixtures.py: flickr_results): "A man" hit at 1;
    // "a red shirt" at rank 2; "a dog" at 1 on its second box; "a bench" at rank 7; "Two dogs" no box;
    // "the grass" at rank 12. R@1 = 2/6, R@5 = 3/6, R@10 = 4/6, upper bound 5/6.
    const { code, out, err } = await quietRun(['--data', fixture('flickr-entities.json'), '--predictions', fixture('flickr-entities.results.json'), '--json']);
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as FlickrEvalResult & { format: string };
    expect(r.format).toBe('flickr');
    expect([r.recall1, r.recall5, r.recall10, r.upperBound]).toEqual([2 / 6, 3 / 6, 4 / 6, 5 / 6]);
    expect([r.numSentences, r.numPhrases]).toEqual([2, 6]);
    // --limit 1: the first caption only (4 phrases): man, dog at 1; shirt at 5; bench at 10
    const first = JSON.parse((await quietRun(['--data', fixture('flickr-entities.json'), '--predictions', fixture('flickr-entities.results.json'), '--json', '--limit', '1'])).out) as FlickrEvalResult;
    expect([first.recall1, first.recall5, first.recall10, first.upperBound]).toEqual([2 / 4, 3 / 4, 1, 1]);
  });
});

describe('webglip eval: bad input is a typed error naming the item, exit 1, nothing written', () => {
  const saved = join(work, 'never.json');
  const expectRefused = async (argv: string[], message: RegExp): Promise<void> => {
    const r = await quietRun([...argv, '--save-predictions', saved]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(existsSync(saved)).toBe(false);
  };
  const write = (name: string, json: unknown): string => {
    const path = join(work, name);
    writeFileSync(path, JSON.stringify(json));
    return path;
  };

  it('annotation files of the wrong shape', async () => {
    const preds = fixture('lvis-v1.results.json');
    await expectRefused(['--data', write('a.json', { images: {} }), '--predictions', preds], /not an annotation file/);
    const lvis = readJson<{ categories: Array<Record<string, unknown>>; images: Array<Record<string, unknown>> }>(fixture('lvis-v1.json'));
    delete lvis.categories[2].frequency;
    await expectRefused(['--data', write('b.json', lvis), '--predictions', preds], /categories\[2\] needs a frequency/);
    const flickr = readJson<{ annotations: Array<Record<string, unknown>> }>(fixture('flickr-entities.json'));
    flickr.annotations[3].tokens_positive = [[40, 99]];
    await expectRefused(['--data', write('c.json', flickr), '--predictions', fixture('flickr-entities.results.json')], /annotations\[3\]: tokens_positive \[40, 99\) lies outside the caption/);
    const coco = readJson<{ annotations: Array<Record<string, unknown>> }>(fixture('coco-instances.json'));
    coco.annotations[1].iscrowd = 2;
    await expectRefused(['--data', write('d.json', coco), '--predictions', fixture('coco-instances.glip-nano-results.json')], /annotations\[1\]: "iscrowd" must be 0 or 1/);
    await expectRefused(['--data', fixture('coco-instances.json'), '--predictions', preds, '--format', 'flickr'], /images\[0\] needs an integer id and a caption/);
  });

  it('image files missing from --images: named, before any model is loaded', async () => {
    const dir = join(work, 'some-images');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '000001.png'), PNG.sync.write(new PNG({ width: 4, height: 4 })));
    await expectRefused(['--data', fixture('coco-instances.json'), '--images', dir, '--model', join(work, 'no-such-model')], /1 image file\(s\) missing from .*some-images: 000002\.png/);
  });
});

describe('webglip eval --model on the formats (case-a at 64 px, cpu)', () => {
  const model = join(work, 'tiny-model');
  const images = join(work, 'images');

  beforeAll(async () => {
    mkdirSync(model, { recursive: true });
    for (const [name, bytes] of await tinyModelFolder()) writeFileSync(join(model, name), bytes);
    mkdirSync(join(images, 'val2017'), { recursive: true });
    // The scenes coco-instances.json annotates: tools/synth's val split (seed 2), images 0 and 1, committed
    // as fixtures (regenerate: `generateImage('val', 2, index, 1)` + `encodePng`, tools/synth/dataset.ts).
    for (const file of ['000001.png', '000002.png']) copyFileSync(join(FIXTURE_IMAGES, file), join(images, file));
    const scene = PNG.sync.read(readFileSync(join(FIXTURE_IMAGES, '000001.png')));
    const jpg = jpeg.encode({ data: scene.data, width: scene.width, height: scene.height }, 90).data;
    for (const id of [11, 12, 13]) writeFileSync(join(images, `val2017/${String(id).padStart(12, '0')}.jpg`), jpg);
    writeFileSync(join(images, 'scene-7.jpg'), jpg);
  });

  it('plain COCO: all 80 names in the prompt, in 2 chunks over one image pass each; the AP printed is that of the detections saved', async () => {
    const saved = join(work, 'coco-preds.json');
    const { code, out, err } = await quietRun(['--data', fixture('coco-instances.json'), '--images', images, '--model', model, '--backend', 'cpu', '--save-predictions', saved, '--json']);
    expect(code, err).toBe(0);
    expect(err).toMatch(/\[1\/2\] 000001\.png: \d+ detection\(s\) over 2 chunk\(s\)/);
    expect(err).toMatch(/\[2\/2\] 000002\.png: \d+ detection\(s\) over 2 chunk\(s\)/);
    const r = JSON.parse(out) as CocoEvalResult;
    const preds = readJson<DetectionResult[]>(saved);
    expect(preds.length).toBe(r.numDetections);
    expect(preds.length).toBeGreaterThan(0);
    const data = readJson<{ categories: Array<{ id: number; name: string }>; annotations: never[] }>(fixture('coco-instances.json'));
    const ids = new Set(data.categories.map((c) => c.id));
    for (const p of preds) expect(ids.has(p.category_id)).toBe(true);
    expect(new Set(preds.map((p) => p.category_id)).size).toBeGreaterThan(1);
    const again = evaluateBoxes({ imageIds: [1, 2], categories: data.categories, groundTruth: data.annotations, detections: preds });
    expect(r.ap).toBe(again.ap);
    expect(r.ap50).toBe(again.ap50);
  });

  it('LVIS: every image over chunks of 40 names (here 1 of 6), JPEG files found through coco_url', async () => {
    const saved = join(work, 'lvis-preds.json');
    const { code, out, err } = await quietRun(['--data', fixture('lvis-v1.json'), '--images', images, '--model', model, '--backend', 'cpu', '--save-predictions', saved, '--json']);
    expect(code, err).toBe(0);
    expect(err).toMatch(/\[1\/3\] val2017\/000000000011\.jpg: \d+ detection\(s\) over 1 chunk\(s\)/);
    // "bow_(weapon)" and "bow_(decorative_ribbons)" both clean to "bow ": grounded both, each on its own span, as GLIP does
    expect(err).not.toMatch(/not grounded/);
    const r = JSON.parse(out) as LvisEvalResult;
    expect(r.numImages).toBe(3);
  });

  it('flickr: each caption with its own phrases; detections name their phrase by number', async () => {
    const saved = join(work, 'flickr-preds.json');
    const { code, out, err } = await quietRun(['--data', fixture('flickr-entities.json'), '--images', images, '--model', model, '--backend', 'cpu', '--threshold', '0', '--save-predictions', saved, '--json']);
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as FlickrEvalResult;
    expect(r.numPhrases).toBe(6);
    const preds = readJson<DetectionResult[]>(saved);
    expect(preds.length).toBe(r.numDetections);
    for (const p of preds) expect(p.category_id).toBeLessThanOrEqual(p.image_id === 0 ? 4 : 2);
    expect(r.upperBound).not.toBeNull();
  });
});
