// webglip tune on a tiny COCO set (two noise images, two categories) with the random-weight toy model
// on cpu: the loss of each step printed, the tuned-prompt file written (and nothing else), the model
// folder untouched; detect and eval --tuned-prompt read the file; every mistake exits ≠ 0 and writes nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeTunedPrompt, encodeTunedPrompt } from '@webglip/core/engine';
import { noiseImage, RANDOM_MODEL_SHARD, randomModelFolder } from '@webglip/core/testing';
import { quietRun } from '../testing/quiet-run.ts';
import { run as detect } from './detect.ts';
import { run as evaluate } from './eval.ts';
import { run as tune } from './tune.ts';

const work = mkdtempSync(join(tmpdir(), 'webglip-tune-test-'));
const model = join(work, 'model');
const data = join(work, 'set', 'train.json');
const out = join(work, 'out', 'shapes.tuned-prompt.json');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CAPTION = 'red circle. blue square';
const COCO = {
  images: [{ id: 1, file_name: 'a.png', width: 48, height: 40 }, { id: 2, file_name: 'b.png', width: 40, height: 48 }],
  categories: [{ id: 2, name: 'blue square' }, { id: 1, name: 'red circle' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [4, 6, 26, 28], area: 728, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 2, bbox: [28, 2, 19, 18], area: 342, iscrowd: 0 },
    { id: 3, image_id: 2, category_id: 2, bbox: [10, 10, 26, 30], area: 780, iscrowd: 0 },
  ],
};

function writePng(path: string, width: number, height: number, seed: number): void {
  const png = new PNG({ width, height });
  png.data = Buffer.from(noiseImage(width, height, seed).data);
  writeFileSync(path, PNG.sync.write(png));
}

/** The command's run with console output and the progress bar's stderr writes captured. */
async function quietTune(argv: string[]): Promise<{ code: number; out: string; err: string; bar: string }> {
  const written: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
  try {
    return { ...(await quietRun(tune, argv)), bar: written.join('') };
  } finally {
    write.mockRestore();
  }
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

describe('webglip tune', () => {
  let folder: Map<string, Uint8Array>;
  beforeAll(async () => {
    folder = await randomModelFolder();
    mkdirSync(model);
    for (const [name, bytes] of folder) writeFileSync(join(model, name), bytes);
    mkdirSync(join(work, 'set'));
    mkdirSync(join(work, 'out'));
    writePng(join(work, 'set', 'a.png'), 48, 40, 1);
    writePng(join(work, 'set', 'b.png'), 40, 48, 2);
    writeFileSync(data, JSON.stringify(COCO));
  });

  it('tunes for 3 steps, printing each step\'s loss, and writes the tuned-prompt file; the model folder is untouched', { timeout: 300_000 }, async () => {
    const { code, err, bar } = await quietTune(['--model', model, '--data', data, '--out', out, '--steps', '3', '--backend', 'cpu', '--dtype', 'f16']);
    expect(code, err).toBe(0);
    expect(err).toMatch(/training set: 2 image\(s\), 3 box\(es\)/);
    expect(err).toContain(`prompt: "${CAPTION}"`);
    expect(bar).toMatch(/\[3\/3\] loss \d+\.\d{4}\n/); // the bar's last update (one line per step off a terminal)
    const losses = [...bar.matchAll(/step (\d)\/3: loss (\d+\.\d{4}) \(token \d+\.\d{4}, box \d+\.\d{4}, centerness \d+\.\d{4}\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(losses.map(([step]) => step)).toEqual([1, 2, 3]);
    const file = await decodeTunedPrompt(new Uint8Array(readFileSync(out)));
    expect(file.caption).toBe(CAPTION);
    expect(file.phrases).toEqual([[0, 10], [12, 23]]);
    expect(file.dtype).toBe('f16');
    expect(file.shape).toEqual([file.tokenIds.length, 16]);
    expect(file.offset.some((v) => v !== 0)).toBe(true);
    expect(file.training).toEqual({ examples: 2, shots: null, steps: 3, stepsRun: 3, learningRate: 0.05, weightDecay: 0.25, batchSize: 4 });
    expect(file.finalLoss!.toFixed(4)).toBe(losses[2][1].toFixed(4));
    expect(file.stopReason).toBe('completed');
    expect(file.modelSha256).toBe(sha256(`${sha256(folder.get(RANDOM_MODEL_SHARD)!)}  ${RANDOM_MODEL_SHARD}\n`));
    for (const [name, bytes] of folder) expect(sha256(readFileSync(join(model, name))), name).toBe(sha256(bytes));
    expect(readdirSync(model).sort()).toEqual([...folder.keys()].sort());
    expect(readdirSync(join(work, 'out'))).toEqual(['shapes.tuned-prompt.json']); // no temporary file left
  });

  it('detect --tuned-prompt detects with the file: its caption, and other scores than the plain prompt', { timeout: 120_000 }, async () => {
    const image = join(work, 'set', 'b.png');
    const tuned = await quietRun(detect, ['--model', model, '--tuned-prompt', out, '--image', image, '--threshold', '0', '--backend', 'cpu']);
    expect(tuned.code, tuned.err).toBe(0);
    expect(tuned.err).toMatch(/phrases: "red circle", "blue square"/);
    const plain = await quietRun(detect, ['--model', model, '--prompt', CAPTION, '--image', image, '--threshold', '0', '--backend', 'cpu']);
    expect(plain.code, plain.err).toBe(0);
    const scores = (json: string) => (JSON.parse(json) as { score: number }[]).map((d) => d.score);
    expect(scores(tuned.out).length).toBeGreaterThan(0);
    expect(scores(tuned.out)).not.toEqual(scores(plain.out));
    const withCaption = await quietRun(detect, ['--model', model, '--tuned-prompt', out, '--prompt', CAPTION, '--image', image, '--threshold', '0', '--backend', 'cpu']);
    expect(withCaption.out).toBe(tuned.out);
  });

  it('eval --tuned-prompt scores the data set with the file', { timeout: 120_000 }, async () => {
    const { code, out: table, err } = await quietRun(evaluate, ['--data', data, '--model', model, '--tuned-prompt', out, '--backend', 'cpu', '--json']);
    expect(code, err).toBe(0);
    const result = JSON.parse(table) as { format: string; numImages: number; numGt: number; numDetections: number };
    expect(result).toMatchObject({ format: 'coco', numImages: 2, numGt: 3 });
    expect(result.numDetections).toBeGreaterThan(0);
  });

  it('refuses a file for another model, a damaged file, another caption and misuse, exiting ≠ 0', { timeout: 120_000 }, async () => {
    const image = join(work, 'set', 'a.png');
    const file = await decodeTunedPrompt(new Uint8Array(readFileSync(out)));
    const other = join(work, 'other-model.json');
    writeFileSync(other, await encodeTunedPrompt({ ...file, modelSha256: 'cd'.repeat(32) }));
    const truncated = join(work, 'truncated.json');
    writeFileSync(truncated, readFileSync(out).subarray(0, 200));
    const detectWith = (args: string[]) => quietRun(detect, ['--model', model, '--image', image, '--backend', 'cpu', ...args]);

    const wrongModel = await detectWith(['--tuned-prompt', other]);
    expect(wrongModel.code).toBe(1);
    expect(wrongModel.err).toMatch(/belongs to another model/);
    const damaged = await detectWith(['--tuned-prompt', truncated]);
    expect(damaged.code).toBe(1);
    expect(damaged.err).toContain(`${truncated}: not a usable tuned-prompt file: it is not complete JSON`);
    const caption = await detectWith(['--tuned-prompt', out, '--prompt', 'red circle']);
    expect(caption.code).toBe(1);
    expect(caption.err).toMatch(/--prompt is "red circle", but the tuned prompt was tuned for "red circle. blue square"/);
    expect((await detectWith(['--tuned-prompt', join(work, 'missing.json')])).code).toBe(1);

    const otherSet = join(work, 'set', 'other.json');
    writeFileSync(otherSet, JSON.stringify({ ...COCO, categories: [...COCO.categories, { id: 3, name: 'green star' }] }));
    const otherCaption = await quietRun(evaluate, ['--data', otherSet, '--model', model, '--tuned-prompt', out, '--backend', 'cpu']);
    expect(otherCaption.code).toBe(1);
    expect(otherCaption.err).toMatch(/the category query of .*other\.json is "red circle\. blue square\. green star", but the tuned prompt was tuned for "red circle\. blue square"/);
    expect((await quietRun(evaluate, ['--data', data, '--predictions', data, '--tuned-prompt', out])).code).toBe(2);
  });

  it('stops on bad input before tuning and writes nothing', { timeout: 120_000 }, async () => {
    const target = join(work, 'out', 'never.json');
    const tuneWith = (args: string[]) => quietTune(['--model', model, '--backend', 'cpu', '--steps', '1', ...args]);
    expect((await tuneWith(['--data', data])).code).toBe(2); // no --out
    expect((await tuneWith(['--data', data, '--out', target, '--steps', '0'])).code).toBe(2);
    expect((await tuneWith(['--data', data, '--out', target, '--lr', 'fast'])).code).toBe(2);
    expect((await tuneWith(['--data', data, '--out', join(work, 'nowhere', 'x.json')])).code).toBe(2);
    const outside = join(work, 'set', 'outside.json');
    writeFileSync(outside, JSON.stringify({ ...COCO, annotations: [{ ...COCO.annotations[0], bbox: [30, 6, 26, 28] }] }));
    const bad = await tuneWith(['--data', outside, '--out', target]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/annotations\[0\] \(a\.png, 48×40\): bbox \[30, 6, 26, 28\] is not inside the image/);
    const flat = join(work, 'set', 'flat.json');
    writeFileSync(flat, JSON.stringify({ ...COCO, annotations: [{ ...COCO.annotations[0], bbox: [4, 6, 1, 28] }] }));
    expect((await tuneWith(['--data', flat, '--out', target])).err).toMatch(/has no area/);
    const missingImage = join(work, 'set', 'missing-image.json');
    writeFileSync(missingImage, JSON.stringify({ ...COCO, images: [{ ...COCO.images[0], file_name: 'gone.png' }, COCO.images[1]] }));
    expect((await tuneWith(['--data', missingImage, '--out', target])).code).toBe(1);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(join(work, 'out'))).toEqual(['shapes.tuned-prompt.json']);
  });
});
