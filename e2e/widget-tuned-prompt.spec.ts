// <glip-detector tuned-prompt="…">: a tuned-prompt file made by `webglip tune` (on the widget example's
// scene, a few steps, wasm) is fetched by the widget, checked against the loaded model and detected with:
// the widget's detections are the CLI's `webglip detect --tuned-prompt` ones (both wasm), and not the
// untuned prompt's. A file for another model and a prompt attribute that is not the file's caption are
// TunedPromptErrors, shown and fired as `error`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Detection } from '../packages/core/src/worker/protocol.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { validationScene } from './scene.ts';

declare global {
  interface Window {
    __detections?: Record<string, Detection[]>;
    __tunedWidgetErrors?: Record<string, { name: string; message: string }>;
  }
}

const PHRASES = ['brown square', 'green hexagon', 'brown cross'];
const THRESHOLD = 0.3;

function webglip(args: string[]): string {
  return execFileSync(process.execPath, ['packages/cli/bin/webglip.js', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('a tuned-prompt attribute detects as webglip detect --tuned-prompt; another model or caption is a TunedPromptError', async ({ page }) => {
  // The tuned prompt, as a user makes one: a COCO file of the scene's boxes of three names, `webglip tune`.
  const dir = mkdtempSync(join(tmpdir(), 'widget-tuned-'));
  const scene = validationScene(0);
  writeFileSync(join(dir, 'scene.png'), scene.png);
  const boxes = scene.truth.filter((t) => PHRASES.includes(t.phrase));
  writeFileSync(join(dir, 'coco.json'), JSON.stringify({
    images: [{ id: 1, file_name: 'scene.png', width: 320, height: 320 }],
    annotations: boxes.map((t, i) => ({ id: i + 1, image_id: 1, category_id: PHRASES.indexOf(t.phrase) + 1, bbox: [t.box[0], t.box[1], t.box[2] - t.box[0], t.box[3] - t.box[1]], area: 1, iscrowd: 0 })),
    categories: PHRASES.map((name, i) => ({ id: i + 1, name })),
  }));
  const tunedPath = join(dir, 'scene.tuned-prompt.json');
  webglip(['tune', '--model', 'models/glip-nano', '--data', join(dir, 'coco.json'), '--out', tunedPath, '--steps', '3', '--backend', 'wasm']);
  const tuned = readFileSync(tunedPath, 'utf8');
  const caption = (JSON.parse(tuned) as { caption: string }).caption;
  const detect = (extra: string[]) => JSON.parse(webglip(['detect', '--model', 'models/glip-nano', '--image', join(dir, 'scene.png'), '--threshold', String(THRESHOLD), '--backend', 'wasm', ...extra])) as Detection[];
  const cliTuned = detect(['--tuned-prompt', tunedPath]);
  const cliPlain = detect(['--prompt', caption]);
  expect(cliTuned.length).toBeGreaterThan(0);

  const otherModel = JSON.stringify({ ...JSON.parse(tuned), modelSha256: '0'.repeat(64) });
  await page.route('**/tuned/*.json', (route) => route.fulfill({ contentType: 'application/json', body: route.request().url().endsWith('other-model.json') ? otherModel : tuned }));
  await page.addInitScript(() => {
    document.addEventListener('detections', (e) => ((window.__detections ??= {})[(e.target as HTMLElement).id] = (e as CustomEvent<Detection[]>).detail), true);
    document.addEventListener(
      'error',
      (e) => {
        const target = e.target as HTMLElement;
        if (target.localName !== 'glip-detector' || !(e instanceof CustomEvent)) return;
        const err = e.detail as Error;
        (window.__tunedWidgetErrors ??= {})[target.id] = { name: err.name, message: err.message };
      },
      true,
    );
  });
  await page.goto('widget-example.html');
  await page.evaluate((threshold) => {
    const add = (id: string, attributes: Record<string, string>) => {
      const el = document.createElement('glip-detector');
      el.id = id;
      for (const [k, v] of Object.entries({ src: 'examples/scene.png', threshold: String(threshold), ...attributes })) el.setAttribute(k, v);
      document.body.append(el);
    };
    add('tuned', { 'tuned-prompt': 'tuned/scene.json' });
    add('other-model', { 'tuned-prompt': 'tuned/other-model.json' });
    add('other-caption', { 'tuned-prompt': 'tuned/scene.json', prompt: 'red circle.' });
  }, THRESHOLD);
  await page.waitForFunction(
    () => window.__detections?.tuned !== undefined && window.__tunedWidgetErrors?.['other-model'] !== undefined && window.__tunedWidgetErrors?.['other-caption'] !== undefined,
    null,
    { timeout: INFERENCE_TIMEOUT },
  );
  const errors = await page.evaluate(() => window.__tunedWidgetErrors!);
  expect(errors.tuned).toBeUndefined();
  expect(errors['other-model'].name).toBe('TunedPromptError');
  expect(errors['other-model'].message).toMatch(/another model/);
  expect(errors['other-caption'].name).toBe('TunedPromptError');
  expect(errors['other-caption'].message).toMatch(/tuned for/);
  await expect(page.locator('#other-model').locator('[part=status]')).toContainText('another model');

  // The widget's tuned detections are the CLI's (both wasm): same phrases, boxes and scores.
  const widget = (await page.evaluate(() => window.__detections!.tuned)).sort((a, b) => b.score - a.score);
  expect(widget.map((d) => d.phrase)).toEqual(cliTuned.map((d) => d.phrase));
  widget.forEach((d, i) => {
    expect(Math.abs(d.score - cliTuned[i].score), `detection ${i} score`).toBeLessThan(1e-4);
    d.box.forEach((v, k) => expect(Math.abs(v - cliTuned[i].box[k]), `detection ${i} box`).toBeLessThan(0.02));
  });
  // And the offset matters: the untuned caption scores differently.
  const scoreDiff = Math.max(...cliTuned.map((d) => Math.min(...cliPlain.filter((p) => p.phrase === d.phrase).map((p) => Math.abs(p.score - d.score)), 1)));
  expect(scoreDiff, 'largest score change of a tuned detection vs the untuned caption').toBeGreaterThan(1e-3);
});
