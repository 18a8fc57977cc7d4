// One table across backends (`pnpm bench --backends …`): a model's first and steady inference on each
// tfjs backend this process offers — WebGPU with the fused WGSL kernels, WebGPU with plain tfjs ops,
// wasm with its hand-written CPU-side kernels and with plain tfjs ops, cpu — and on the one `auto` chooses (with its reason), one after another in one run, each on a
// fresh backend through GlipDetector (end-to-end.ts); ratios to the fastest. wasm also gets a per-stage
// profile and its matmul GFLOP/s (a 512³ product), the local peak of that backend.
import * as tf from '@tensorflow/tfjs';
import type { BackendKind } from '@webglip/core/engine';
import { createBackend } from '@webglip/core/engine';
import type { ModeResult } from './end-to-end.ts';
import { benchMode } from './end-to-end.ts';
import { settle } from './gpu.ts';
import type { BenchModel } from './models.ts';
import { round } from './stats.ts';

/** What `--backends` takes. */
export const BACKEND_CHOICES = ['webgpu-fused', 'webgpu-plain', 'wasm', 'wasm-plain', 'cpu', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendRow {
  choice: BackendChoice;
  /** The tfjs backend that ran (for `auto`, the one it chose). */
  runsOn: BackendKind;
  fused: boolean;
  /** createBackend's reason: the choice, and wasm's SIMD and threads. */
  reason: string;
  result: ModeResult;
  /** steady p50 / the fastest row's steady p50. */
  ratioToFastest: number;
}

export interface BackendTable {
  model: string;
  input: string;
  rows: BackendRow[];
  /** GFLOP/s of a 512×512×512 tf.matMul on wasm (median of 3), when wasm ran. */
  wasmMatmulGflops: number | null;
}

export function parseBackendChoices(list: string): BackendChoice[] {
  const choices = list.split(',').filter((c) => c !== '');
  for (const c of choices) {
    if (!(BACKEND_CHOICES as readonly string[]).includes(c)) throw new Error(`--backends takes ${BACKEND_CHOICES.join(', ')}; got ${c}`);
  }
  return choices as BackendChoice[];
}

export async function benchBackends(model: BenchModel, input: string, choices: readonly BackendChoice[], steadyRuns: number, log: (line: string) => void): Promise<BackendTable> {
  const rows: Omit<BackendRow, 'ratioToFastest'>[] = [];
  let wasmMatmulGflops: number | null = null;
  for (const choice of choices) {
    const selection = await createBackend(choice === 'auto' ? 'auto' : (choice.split('-')[0] as BackendKind));
    const runsOn = selection.kind;
    if (choice !== 'auto' && runsOn !== choice.split('-')[0]) throw new Error(`backend ${choice} unavailable: ${selection.fallbackReasons.join('; ')}`);
    const fused = !choice.endsWith('-plain'); // the hand-written kernels (fused WGSL, CPU-side loops): the product's path
    if (runsOn === 'wasm' && wasmMatmulGflops === null) wasmMatmulGflops = await matmulGflops(512);
    log(`${model.name} on ${choice}${choice === 'auto' ? ` → ${runsOn}` : ''}: ${selection.reason}`);
    const result = await benchMode(model, {
      backend: runsOn,
      fused,
      precompile: runsOn === 'webgpu' && fused, // the load-time compile pass is WebGPU's (GlipDetector.load)
      steadyRuns,
      rerunRuns: 0,
      stageRuns: choice === 'wasm' ? 1 : 0,
      leakRuns: 0,
    }, log);
    rows.push({ choice, runsOn, fused, reason: selection.reason, result });
  }
  const fastest = Math.min(...rows.map((r) => r.result.steady.p50));
  return { model: model.name, input, rows: rows.map((r) => ({ ...r, ratioToFastest: round(r.result.steady.p50 / fastest, 2) })), wasmMatmulGflops };
}

/** GFLOP/s of an n×n×n matmul on the active backend: median of 3 timed products after a warm-up. */
async function matmulGflops(n: number): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const once = async (): Promise<number> => {
    await settle();
    const started = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    const ms = performance.now() - started;
    c.dispose();
    return ms;
  };
  await once();
  const times = [await once(), await once(), await once()].sort((x, y) => x - y);
  tf.dispose([a, b]);
  return round((2 * n ** 3) / (times[1] * 1e6), 2);
}

const ms = (x: number): string => x.toFixed(0);

/** The table as markdown, with auto's distance to the fastest and wasm's heaviest stages. */
export function backendTableMarkdown(t: BackendTable): string[] {
  const out = [`### Across backends: ${t.model} — input ${t.input}`, '',
    '| backend | runs on | load (ms) | first (ms) | steady p50 (ms) | × fastest | why / how |', '|---|---|---:|---:|---:|---:|---|'];
  for (const r of t.rows) {
    out.push(`| ${r.choice} | ${r.runsOn}${r.fused ? '' : ' (plain tfjs)'} | ${ms(r.result.loadMs)} | ${ms(r.result.firstMs)} | ${ms(r.result.steady.p50)} (${r.result.steady.runs} runs) | ${r.ratioToFastest.toFixed(2)} | ${r.reason} |`);
  }
  const auto = t.rows.find((r) => r.choice === 'auto');
  if (auto) out.push('', `auto: ${auto.ratioToFastest.toFixed(2)} × the fastest (target ≤ 1.10: ${auto.ratioToFastest <= 1.1 ? 'met' : 'not met'}).`);
  const wasm = t.rows.find((r) => r.choice === 'wasm');
  if (wasm && Object.keys(wasm.result.stagesMs).length > 0) {
    const stages = Object.entries(wasm.result.stagesMs).sort((a, b) => b[1] - a[1]);
    const total = stages.reduce((s, [, v]) => s + v, 0);
    out.push('', `wasm: matmul 512³ at ${t.wasmMatmulGflops ?? '–'} GFLOP/s (the backend's local peak); heaviest stages of one staged run (${ms(total)} ms): ` +
      stages.slice(0, 6).map(([name, v]) => `${name} ${ms(v)} ms (${((100 * v) / total).toFixed(0)} %)`).join(', ') + '.');
  }
  return out;
}
