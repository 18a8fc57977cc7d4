// Browser test page for e2e/kernels.spec.ts: switches tfjs to `webgpu`, runs the kernel check registry
// (packages/core/src/kernels/checks.ts) and publishes a report on `window.__kernelReport` (and as
// text in #out for people); the tokenizer smoke check is on `window.__tokenizerSmoke`.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { TokenizerWasm } from 'tokenizers-wasm';

/** One numerical comparison of a kernel against its reference. */
export interface CheckCase {
  case: string;
  maxAbs: number;
  tol: number;
}

/** What the page reports to the test. */
export interface KernelReport {
  backend: string;
  adapter: { vendor: string; architecture: string; description: string } | null;
  checks: { name: string; cases: CheckCase[]; error?: string }[];
  error?: string;
}

/** Token ids of a BERT-encoded sentence, or why the tokenizer's wasm failed. */
export type TokenizerSmoke = { ids: number[] } | { error: string };

interface KernelCheck {
  name: string;
  run(): Promise<CheckCase[]>;
}

declare global {
  interface Window {
    __kernelReport?: Promise<KernelReport>;
    __tokenizerSmoke?: Promise<TokenizerSmoke>;
  }
}

// The registry is written by the kernels engineer; a glob keeps this page building while it does not exist yet.
const registry = import.meta.glob<{ KERNEL_CHECKS: KernelCheck[] }>('../../packages/core/src/kernels/checks.ts');

async function adapterInfo(): Promise<KernelReport['adapter']> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return null;
  const { vendor, architecture, description } = adapter.info;
  return { vendor, architecture, description };
}

async function tokenizerSmoke(): Promise<TokenizerSmoke> {
  try {
    const tokenizer = new TokenizerWasm(await (await fetch('../models/bert-base-uncased/tokenizer.json')).text());
    const encoding = tokenizer.encode('a red apple. cat', true);
    const ids = Array.from(encoding.input_ids);
    encoding.free();
    tokenizer.free();
    return { ids };
  } catch (e) {
    return { error: String(e) };
  }
}

async function runChecks(): Promise<KernelReport['checks']> {
  const load = Object.values(registry)[0];
  if (!load) throw new Error('packages/core/src/kernels/checks.ts does not exist yet');
  const { KERNEL_CHECKS } = await load();
  const out: KernelReport['checks'] = [];
  for (const check of KERNEL_CHECKS) {
    try {
      out.push({ name: check.name, cases: await check.run() });
    } catch (e) {
      out.push({ name: check.name, cases: [], error: String(e) });
    }
  }
  return out;
}

async function report(): Promise<KernelReport> {
  const result: KernelReport = { backend: '', adapter: null, checks: [] };
  try {
    result.adapter = await adapterInfo();
    await tf.setBackend('webgpu');
    await tf.ready();
    result.backend = tf.getBackend();
    result.checks = await runChecks();
  } catch (e) {
    result.error = String(e);
  }
  return result;
}

window.__tokenizerSmoke = tokenizerSmoke();
window.__kernelReport = report();
window.__kernelReport.then((r) => {
  document.getElementById('out')!.textContent = JSON.stringify(r, null, 2);
});
