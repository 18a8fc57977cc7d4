import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpointFile } from '@webglip/convert/node.ts';
import { bertConfigFromHf } from '@webglip/core/config.ts';
import { CASE_A_DIR, caseJson } from '@webglip/core/testing/fixtures.ts';
import { halfRedJpeg } from '@webglip/core/testing/image-files.ts';
import { run } from './detect.ts';
import { quietRun as quietRunCommand } from '../testing/quiet-run.ts';

interface OfficialDetection {
  box_xyxy: number[];
  score: number;
  phrase: string;
}

const work = mkdtempSync(join(tmpdir(), 'webglip-detect-test-'));
const model = join(work, 'case-a');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const quietRun = (argv: string[]) => quietRunCommand(run, argv);

describe('webglip detect', () => {
  beforeAll(async () => {
    const shim = (caseJson().config as { bert_config_shim: unknown }).bert_config_shim;
    await convertCheckpointFile(resolve(CASE_A_DIR, 'model.pth'), model, {
      officialYaml: readFileSync(resolve(CASE_A_DIR, 'config.yaml'), 'utf8'),
      bertConfig: bertConfigFromHf(shim),
    });
  });

  it('detects case-a\'s "prompt" run from the converted checkpoint, as JSON and as an annotated PNG', async () => {
    const run0 = (caseJson().runs as { demo_threshold: number; final_detections_original_coords: OfficialDetection[] }[])[0];
    const annotated = join(work, 'annotated.png');
    const { code, out, err } = await quietRun([
      '--model', model, '--image', resolve(CASE_A_DIR, 'image.png'), '--prompt', 'red circle . blue square . green triangle . ',
      '--threshold', String(run0.demo_threshold), '--backend', 'cpu', '--max-size', 'none', '--out', annotated,
    ]);
    expect(code, err).toBe(0);
    expect(err).toMatch(/phrases: "red circle", "blue square", "green triangle"/);
    const detections = JSON.parse(out) as { box: number[]; score: number; phrase: string; charSpan: number[]; tokenIndices: number[] }[];
    const official = run0.final_detections_original_coords;
    expect(detections).toHaveLength(official.length);
    detections.forEach((d, i) => {
      expect(Object.keys(d).sort()).toEqual(['box', 'charSpan', 'phrase', 'score', 'tokenIndices']);
      expect(d.phrase).toBe(official[i].phrase);
      expect(Math.abs(d.score - official[i].score)).toBeLessThanOrEqual(1e-4);
      d.box.forEach((v, k) => expect(Math.abs(v - official[i].box_xyxy[k])).toBeLessThanOrEqual(0.05));
    });
    expect(detections[0]).toMatchObject({ phrase: 'blue square', charSpan: [13, 24], tokenIndices: [4, 5] });
    const png = PNG.sync.read(readFileSync(annotated));
    expect([png.width, png.height]).toEqual([410, 316]);
  });

  it('reads JPEGs in their EXIF orientation (boxes in displayed pixels)', async () => {
    const jpeg = join(work, 'rotated.jpg');
    writeFileSync(jpeg, halfRedJpeg(6)); // stored 32×16, displayed 16×32
    const annotated = join(work, 'rotated.png');
    const { code } = await quietRun(['--model', model, '--image', jpeg, '--prompt', 'red circle', '--backend', 'cpu', '--max-size', '64', '--out', annotated]);
    expect(code).toBe(0);
    const png = PNG.sync.read(readFileSync(annotated));
    expect([png.width, png.height]).toEqual([16, 32]);
  });

  it('reports an empty prompt and a missing image as errors (exit 1), bad usage as exit 2', async () => {
    const image = resolve(CASE_A_DIR, 'image.png');
    expect((await quietRun(['--model', model, '--image', image, '--prompt', ' . ', '--backend', 'cpu'])).code).toBe(1);
    const missing = await quietRun(['--model', model, '--image', join(work, 'nope.png'), '--prompt', 'dog', '--backend', 'cpu']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.png/);
    const text = join(work, 'not-an-image.png');
    writeFileSync(text, '<html>404</html>');
    const notImage = await quietRun(['--model', model, '--image', text, '--prompt', 'dog', '--backend', 'cpu']);
    expect(notImage.code).toBe(1);
    expect(notImage.err).toMatch(/not a PNG or JPEG/);
    expect((await quietRun(['--model', model, '--prompt', 'dog'])).code).toBe(2);
    expect((await quietRun(['--model', model, '--image', image, '--prompt', 'dog', '--threshold', '2'])).code).toBe(2);
  });
});
