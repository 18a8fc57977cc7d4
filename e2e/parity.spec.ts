// Parity of the whole GLIP graph in the browser: case-a's official checkpoint is converted in the
// demo page (the "convert an official .pth" UI), run on Chromium's WebGPU (SwiftShader) in the
// engine worker, and its thresholded detections are compared with GLIPDemo's final detections.
// Tolerances: same count and phrases, boxes within 1e-2 px, scores within 1e-4.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Detection } from '../packages/core/src/worker/protocol.ts';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { demoState, detectScene } from './demo-page.ts';

/** case-a fixture, relative to the repo root (where Playwright runs). */
const CASE_A = resolve('../shared/fixtures/case-a');
const BOX_TOLERANCE_PX = 1e-2;
const SCORE_TOLERANCE = 1e-4;

interface OfficialDetection {
  box_xyxy: [number, number, number, number];
  score: number;
  phrase: string;
}

interface CaseRun {
  demo_input: string[] | string;
  caption_string_given_to_model: string;
  demo_threshold: number;
  final_detections_original_coords: OfficialDetection[];
}

const caseFile = (name: string): { name: string; mimeType: string; buffer: Buffer } => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: readFileSync(resolve(CASE_A, name)),
});

// Conversion, model load and one SwiftShader inference of GLIP on a loaded machine.
test.setTimeout(600_000);

test('case-a converted in the page detects like GLIPDemo on WebGPU', async ({ page }) => {
  const run = (JSON.parse(readFileSync(resolve(CASE_A, 'case.json'), 'utf8')) as { runs: CaseRun[] }).runs[0];
  expect(Array.isArray(run.demo_input), 'the first case-a run is a phrase list').toBe(true);

  await page.goto('./?backend=webgpu'); // 'auto' would pick wasm on SwiftShader (backend-choice.spec.ts)
  await page.waitForFunction(() => window.__webglip !== undefined && window.__webglip.status !== 'loading', null, { timeout: INFERENCE_TIMEOUT });

  await page.locator('#model-other').evaluate((d) => ((d as HTMLDetailsElement).open = true));
  await page.locator('#pth-file').setInputFiles(caseFile('model.pth'));
  await page.locator('#pth-yaml').setInputFiles(caseFile('config.yaml'));
  await page.locator('#pth-bert').setInputFiles(caseFile('case.json'));
  await page.locator('#pth-convert').click();
  await expect(page.locator('#model-status')).toContainText('model.pth is ready', { timeout: INFERENCE_TIMEOUT });
  const loaded = await demoState(page);
  expect(loaded.error).toBeNull();
  expect(loaded.info?.backend).toBe('webgpu');

  // The slider steps by 0.01; GLIPDemo's threshold (e.g. 0.327) needs an unstepped value.
  await page.locator('#threshold').evaluate((el, t) => {
    const input = el as HTMLInputElement;
    input.step = 'any';
    input.value = String(t);
  }, run.demo_threshold);
  expect(Number(await page.locator('#threshold').inputValue())).toBe(run.demo_threshold);

  // The caption GLIPDemo built from the phrase list ("red circle . blue square . green triangle . "):
  // the demo reads it as that list, with the same tokens (the trailing "." included).
  const png = readFileSync(resolve(CASE_A, 'image.png'));
  const detections = await detectScene(page, { png, prompt: run.caption_string_given_to_model });
  expectSameDetections(detections, run.final_detections_original_coords);
});

/** Each official detection is matched by one of ours with the same phrase, within the tolerances. */
function expectSameDetections(ours: Detection[], official: OfficialDetection[]): void {
  expect(ours.map((d) => d.phrase).sort()).toEqual(official.map((o) => o.phrase).sort());
  const unmatched = [...ours];
  let maxBox = 0;
  let maxScore = 0;
  for (const o of official) {
    const i = unmatched.findIndex(
      (d) => d.phrase === o.phrase && Math.abs(d.score - o.score) <= SCORE_TOLERANCE && d.box.every((v, k) => Math.abs(v - o.box_xyxy[k]) <= BOX_TOLERANCE_PX),
    );
    expect(i, `official ${JSON.stringify(o)} among ${JSON.stringify(unmatched)}`).toBeGreaterThanOrEqual(0);
    const [d] = unmatched.splice(i, 1);
    maxScore = Math.max(maxScore, Math.abs(d.score - o.score));
    maxBox = Math.max(maxBox, ...d.box.map((v, k) => Math.abs(v - o.box_xyxy[k])));
  }
  console.log(`case-a on WebGPU: ${ours.length} detections, max box diff ${maxBox.toExponential(2)} px, max score diff ${maxScore.toExponential(2)}`);
}
