// Every fused-kernel check of packages/core/src/kernels/checks.ts passes in Chromium on the real tfjs
// `webgpu` backend (SwiftShader adapter), and the tokenizer's wasm loads from the built page.
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { KernelReport } from '../web/dev/kernels.ts';

async function kernelReport(page: Page): Promise<KernelReport> {
  await page.goto('dev/kernels.html');
  await page.waitForFunction(() => window.__kernelReport !== undefined);
  return page.evaluate(() => window.__kernelReport as Promise<KernelReport>);
}

test('kernel checks pass on webgpu (SwiftShader) in Chromium', async ({ page }, testInfo) => {
  const report = await kernelReport(page);
  writeFileSync(testInfo.outputPath('kernel-report.json'), JSON.stringify(report, null, 2));
  expect(report.error).toBeUndefined();
  expect(report.backend).toBe('webgpu');
  expect(report.adapter?.architecture ?? '').toMatch(/swiftshader/i);
  expect(report.checks.length).toBeGreaterThan(0);
  for (const check of report.checks) {
    expect(check.error, `${check.name} threw`).toBeUndefined();
    expect(check.cases.length, `${check.name} has cases`).toBeGreaterThan(0);
    for (const c of check.cases) {
      expect(c.maxAbs, `${check.name} / ${c.case}: max |Δ| ${c.maxAbs} vs tol ${c.tol}`).toBeLessThanOrEqual(c.tol);
    }
  }
});

test('tokenizers-wasm loads and encodes in the built page', async ({ page }) => {
  await page.goto('dev/kernels.html');
  await page.waitForFunction(() => window.__tokenizerSmoke !== undefined);
  // "a red apple. cat" → [CLS] a red apple . cat [SEP] with bert-base-uncased ids.
  expect(await page.evaluate(() => window.__tokenizerSmoke)).toEqual({ ids: [101, 1037, 2417, 6207, 1012, 4937, 102] });
});
