import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { convertCheckpointFile } from '@webglip/convert/node.ts';
import { bertConfigFromHf } from '@webglip/core/engine';
import { DEFAULT_THRESHOLD } from '@webglip/core/engine';
import { CASE_A_DIR, caseJson, REPO_ROOT } from '@webglip/core/testing';
import { halfRedJpeg } from '@webglip/core/testing';
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

  it('names every command-line mistake in one line (the option, the value, what is accepted): no errno, no bare usage dump', async () => {
    const image = resolve(CASE_A_DIR, 'image.png');
    const cases: [string[], number, RegExp][] = [
      [['--model', model, '--image', image], 2, /missing --prompt/],
      [['--image', image, '--prompt', 'dog'], 2, /missing --model/],
      [['--model', model, '--prompt', 'dog'], 2, /missing --image/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--backend', 'foo'], 2, /unknown --backend "foo" \(expected one of: auto, webgpu, wasm, cpu\)/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--format', 'xml'], 2, /unknown --format "xml" \(expected one of: engine, coco\)/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--threshold', 'high'], 2, /--threshold "high" is not a number from 0 to 1/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--max-size', '0'], 2, /--max-size "0" is not a number/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--colour', 'red'], 2, /unknown option --colour/],
      [['--model', model, '--image', image, '--prompt'], 2, /option --prompt needs a value/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--annotations', 'a.json'], 2, /--annotations only applies to --format coco/],
      [['--model', model, '--image', join(work, 'nope.png'), '--prompt', 'dog', '--backend', 'cpu'], 1, /nope\.png: no such file or folder/],
      [['--model', join(work, 'no-model'), '--image', image, '--prompt', 'dog', '--backend', 'cpu'], 1, /--model .*no-model: no such folder/],
      [['--model', work, '--image', image, '--prompt', 'dog', '--backend', 'cpu'], 1, /has no config\.json/],
      [['--model', model, '--image', join(work, '*.gif'), '--prompt', 'dog', '--backend', 'cpu'], 1, /no PNG or JPEG file matches .*\*\.gif/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--format', 'coco', '--backend', 'cpu'], 1, /image\.png: --format coco needs an image id/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--output', join(work, 'no-dir', 'r.json')], 2, /--output .*r\.json: the folder .*no-dir does not exist/],
      [['--model', model, '--image', image, '--prompt', 'dog', '--out', join(work, 'no-dir', 'a.png')], 2, /--out .*a\.png: the folder .*no-dir does not exist/],
    ];
    for (const [argv, code, message] of cases) {
      const result = await quietRun(argv);
      expect(result.code, argv.join(' ')).toBe(code);
      expect(result.err, argv.join(' ')).toMatch(message);
      expect(result.err.split('\n')[0], argv.join(' ')).toMatch(/^webglip detect: /);
      expect(result.err, argv.join(' ')).not.toMatch(/ENOENT|errno|usage:/);
      expect(result.out, argv.join(' ')).toBe('');
    }
  });

  it('states the engine\'s DEFAULT_THRESHOLD in --help and uses it when --threshold is left out', async () => {
    const help = await quietRun(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain(`--threshold T       keep detections scoring above T (default ${DEFAULT_THRESHOLD}, the engine's default)`);
    const image = resolve(CASE_A_DIR, 'image.png');
    const { code, out, err } = await quietRun(['--model', model, '--image', image, '--prompt', 'red circle . blue square', '--backend', 'cpu', '--max-size', '64']);
    expect(code, err).toBe(0);
    expect(err).toContain(`above ${DEFAULT_THRESHOLD};`);
    for (const d of JSON.parse(out) as { score: number }[]) expect(d.score).toBeGreaterThan(DEFAULT_THRESHOLD);
  });

  it('prints truthful stage times in a fresh detector: the prompt\'s encoding time, then "cached" for what a cache served (never "0 ms")', async () => {
    const { code, err } = await quietRun(['--model', model, '--image', resolve(CASE_A_DIR, 'image.png'), '--prompt', 'red circle', '--backend', 'cpu', '--max-size', '64']);
    expect(code, err).toBe(0);
    expect(err).toMatch(/phrases: "red circle" \(text encoded in \d+ ms\)/);
    expect(err).toMatch(/text cached, backbone \d+ ms, head \d+ ms/);
    expect(err).not.toMatch(/\b0 ms/);
  });

  describe('over a folder or a glob', () => {
    const images = join(work, 'images');
    const prompt = 'red circle . blue square . green triangle';
    const common = ['--model', model, '--prompt', prompt, '--backend', 'cpu', '--max-size', '64', '--threshold', '0.3'];
    /** Runs detect with process.stderr's writes (the progress bar) captured. */
    async function withProgress(argv: string[]) {
      const written: string[] = [];
      const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      try {
        return { ...(await quietRun(argv)), progress: written.join('') };
      } finally {
        write.mockRestore();
      }
    }
    let single: { box: number[]; score: number; phrase: string }[];

    beforeAll(async () => {
      mkdirSync(join(images, 'sub'), { recursive: true });
      copyFileSync(resolve(CASE_A_DIR, 'image.png'), join(images, '000007.png'));
      copyFileSync(resolve(CASE_A_DIR, 'image.png'), join(images, '000042.png'));
      writeFileSync(join(images, '000005.jpg'), halfRedJpeg(6));
      writeFileSync(join(images, 'notes.txt'), 'not an image');
      copyFileSync(resolve(CASE_A_DIR, 'image.png'), join(images, 'sub', '000099.png'));
      const one = await quietRun([...common, '--image', join(images, '000007.png')]);
      expect(one.code, one.err).toBe(0);
      single = JSON.parse(one.out) as typeof single;
      expect(single.length).toBeGreaterThan(0);
    });

    it('writes one engine-format JSON file, per image in name order, with a progress line per image', async () => {
      const output = join(work, 'folder.json');
      const { code, out, err, progress } = await withProgress([...common, '--image', images, '--output', output, '--verbose']);
      expect(code, err).toBe(0);
      expect(out).toBe('');
      const results = JSON.parse(readFileSync(output, 'utf8')) as { image: string; width: number; height: number; detections: typeof single }[];
      expect(results.map((r) => r.image)).toEqual(['000005.jpg', '000007.png', '000042.png'].map((f) => join(images, f)));
      expect(results.map((r) => [r.width, r.height])).toEqual([[16, 32], [410, 316], [410, 316]]);
      expect(results[1].detections).toEqual(single);
      expect(results[2].detections).toEqual(single);
      // Not a terminal: one line per image; the same pixels twice: the second backbone is served from the cache.
      const lines = progress.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^\[1\/3\] .*000005\.jpg: \d+ detection\(s\) above 0\.3; text cached, backbone \d+ ms, head \d+ ms$/);
      expect(lines[1]).toMatch(/^\[2\/3\] .*000007\.png: .*backbone \d+ ms/);
      expect(lines[2]).toMatch(/^\[3\/3\] .*000042\.png: .*text cached, backbone cached, head \d+ ms$/);
      expect(err).toMatch(/wrote .*folder\.json: \d+ detection\(s\) for 3 image\(s\)/);
    });

    it('expands a quoted glob (** included) and draws each image into an --out folder', async () => {
      const drawn = join(work, 'drawn');
      const { code, out, err } = await withProgress([...common, '--image', join(images, '**/*.png'), '--out', drawn]);
      expect(code, err).toBe(0);
      const results = JSON.parse(out) as { image: string; detections: typeof single }[];
      expect(results.map((r) => r.image)).toEqual(['000007.png', '000042.png', 'sub/000099.png'].map((f) => join(images, f)));
      for (const name of ['000007.png', '000042.png', '000099.png']) expect(existsSync(join(drawn, name)), name).toBe(true);
    });

    it('writes COCO results with image ids from the file names and categories in prompt order', async () => {
      const { code, out, err } = await withProgress([...common, '--image', images, '--format', 'coco']);
      expect(code, err).toBe(0);
      const results = JSON.parse(out) as { image_id: number; category_id: number; bbox: number[]; score: number }[];
      const of42 = results.filter((r) => r.image_id === 42);
      expect(of42).toHaveLength(single.length);
      const phrases = ['red circle', 'blue square', 'green triangle'];
      of42.forEach((r, i) => {
        expect(Object.keys(r).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score']);
        expect(r.category_id).toBe(phrases.indexOf(single[i].phrase) + 1);
        expect(r.score).toBeCloseTo(single[i].score, 6);
        const [x0, y0, x1, y1] = single[i].box;
        [x0, y0, x1 - x0 + 1, y1 - y0 + 1].forEach((v, k) => expect(Math.abs(r.bbox[k] - v)).toBeLessThanOrEqual(0.01));
      });
      for (const r of results) expect([5, 7, 42]).toContain(r.image_id);
      expect(results.filter((r) => r.image_id === 7)).toEqual(of42.map((r) => ({ ...r, image_id: 7 })));
    });

    it('takes COCO ids from an annotation file, and refuses a prompt phrase that is not one of its categories', async () => {
      const annotations = join(work, 'annotations.json');
      writeFileSync(annotations, JSON.stringify({
        images: [{ id: 501, file_name: '000007.png' }, { id: 502, file_name: 'images/000042.png' }],
        categories: [{ id: 11, name: 'green triangle' }, { id: 12, name: 'Blue Square' }, { id: 13, name: 'red circle' }],
        annotations: [],
      }));
      const argv = [...common, '--format', 'coco', '--annotations', annotations, '--image', join(images, '000007.png'), '--image', join(images, '000042.png')];
      const { code, out, err } = await withProgress(argv);
      expect(code, err).toBe(0);
      const results = JSON.parse(out) as { image_id: number; category_id: number }[];
      expect(results.filter((r) => r.image_id === 501)).toHaveLength(single.length);
      expect(results.filter((r) => r.image_id === 502)).toHaveLength(single.length);
      const ids: Record<string, number> = { 'green triangle': 11, 'blue square': 12, 'red circle': 13 };
      expect(results.filter((r) => r.image_id === 501).map((r) => r.category_id)).toEqual(single.map((d) => ids[d.phrase]));
      const unknown = await withProgress([...argv.slice(0, 2), '--prompt', 'red circle . yellow moon', ...argv.slice(4)]);
      expect(unknown.code).toBe(1);
      expect(unknown.err).toMatch(/the phrase "yellow moon" is no category name of .*annotations\.json/);
      const notListed = await withProgress([...common, '--format', 'coco', '--annotations', annotations, '--image', images]);
      expect(notListed.code).toBe(1);
      expect(notListed.err).toMatch(/000005\.jpg: no image\(s\) of .*annotations\.json have this file_name/);
    });
  });
});

describe("README's CLI example", () => {
  it('returns detections for each phrase of its prompt, as written (on wasm: the backends agree to 1e-6)', async () => {
    const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
    const line = /^pnpm webglip detect (.*)$/m.exec(readme)?.[1];
    expect(line).toBeDefined();
    const argv = [...line!.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
    const option = (name: string) => argv[argv.indexOf(name) + 1];
    const out = join(work, 'readme-boxes.png');
    argv[argv.indexOf('--out') + 1] = out;
    const cwd = process.cwd();
    process.chdir(REPO_ROOT); // README's paths are relative to the repository
    try {
      const result = await quietRun([...argv, '--backend', 'wasm']);
      expect(result.code, result.err).toBe(0);
      const detections = JSON.parse(result.out) as { phrase: string }[];
      const phrases = option('--prompt').split('.').map((p) => p.trim()).filter(Boolean);
      expect(phrases.length).toBeGreaterThan(1);
      for (const phrase of phrases) expect(detections.map((d) => d.phrase), phrase).toContain(phrase);
      expect(existsSync(out)).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
