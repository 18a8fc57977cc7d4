// The benchmark report: one JSON object, and the same as markdown tables with the targets' ratios.
import type { BackendTable } from './backend-table.ts';
import type { ModeResult } from './end-to-end.ts';
import type { MicroResult } from './kernels-micro.ts';
import type { StageOps } from './op-profile.ts';
import { round } from './stats.ts';

export interface ModelReport {
  model: string;
  source: string;
  /** Input as the network saw it (padded), e.g. "320×416". */
  input: string;
  modes: ModeResult[];
}

export interface BenchReport {
  command: string;
  machine: string;
  adapter: string;
  f16: boolean;
  date: string;
  models: ModelReport[];
  kernels: MicroResult | null;
  convertMemory: Record<string, unknown> | null;
  /** The same small-model and kernel runs in headless Chromium. */
  browser: { adapter: string; f16: boolean; userAgent: string; model: ModelReport; kernels: MicroResult | null } | null;
  /** `--backends`: each model across backends. */
  backendTables: BackendTable[];
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const ms = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(1));

function targets(m: ModelReport): string[] {
  const fused = m.modes.find((x) => x.fused);
  const plain = m.modes.find((x) => !x.fused);
  const rows: string[] = ['| target | measured | met |', '|---|---|---|'];
  const row = (what: string, value: number | null, ok: (v: number) => boolean, detail: string) => {
    rows.push(`| ${what} | ${value === null ? '–' : `${round(value, 2)} (${detail})`} | ${value === null ? '–' : ok(value) ? 'yes' : 'no'} |`);
  };
  row('fused ≥ 3× plain, end to end (plain p50 / fused p50)', fused && plain ? plain.steady.p50 / fused.steady.p50 : null, (v) => v >= 3,
    fused && plain ? `${ms(plain.steady.p50)} / ${ms(fused.steady.p50)} ms` : '');
  row('prompt-only re-run ≤ 35% of a full run', fused?.promptOnly ? fused.promptOnly.p50 / fused.steady.p50 : null, (v) => v <= 0.35,
    fused?.promptOnly ? `${ms(fused.promptOnly.p50)} / ${ms(fused.steady.p50)} ms` : '');
  row('first inference ≤ 3× steady (fused, after the load-time compile pass)', fused ? fused.firstMs / fused.steady.p50 : null, (v) => v <= 3,
    fused ? `${ms(fused.firstMs)} / ${ms(fused.steady.p50)} ms` : '');
  row('first inference ≤ 3× steady (plain, cold: no compile pass)', plain ? plain.firstMs / plain.steady.p50 : null, (v) => v <= 3,
    plain ? `${ms(plain.firstMs)} / ${ms(plain.steady.p50)} ms` : '');
  for (const mode of m.modes) {
    if (!mode.leak) continue;
    const dt = mode.leak.after.tensors - mode.leak.before.tensors;
    const db = mode.leak.after.tensorBytes - mode.leak.before.tensorBytes;
    const dg = mode.leak.after.gpuBytesAllocated - mode.leak.before.gpuBytesAllocated;
    rows.push(`| no growth over ${mode.leak.runs} runs (${mode.fused ? 'fused' : 'plain'}) | Δtensors ${dt}, Δtensor bytes ${db}, ΔGPU bytes held ${dg}${dg > 0 ? ` (new highs after runs ${mode.leak.growthRuns.join(', ')})` : ''} | ${dt === 0 && db === 0 && dg <= 0 ? 'yes' : 'no'} |`);
  }
  return rows;
}

function modelTables(m: ModelReport): string[] {
  const cols = m.modes.map((x) => (x.fused ? 'fused kernels' : 'plain tfjs'));
  const out = [`### ${m.model} — input ${m.input}`, '', `Weights: ${m.source}.`, '', `| | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
  const line = (what: string, f: (x: ModeResult) => string) => out.push(`| ${what} | ${m.modes.map(f).join(' | ')} |`);
  line('model load (ms)', (x) => ms(x.loadMs));
  line('shader compile at load, GlipDetector.precompile (ms)', (x) => (x.precompiled ? ms(x.compileMs) : 'lazy'));
  line('tfjs pipelines at load / after runs', (x) => `${x.pipelinesAtLoad} / ${x.pipelinesAfterRuns}`);
  line('first inference (ms)', (x) => ms(x.firstMs));
  line('steady p50 (ms)', (x) => `${ms(x.steady.p50)} (${x.steady.runs} runs)`);
  line('steady p90 (ms)', (x) => ms(x.steady.p90));
  line('prompt-only re-run p50 (image cached)', (x) => (x.promptOnly ? `${ms(x.promptOnly.p50)} (${x.promptOnly.runs} runs)` : '–'));
  line('image-only re-run p50 (prompt cached)', (x) => (x.imageOnly ? `${ms(x.imageOnly.p50)} (${x.imageOnly.runs} runs)` : '–'));
  line('weights, f32 as loaded → as held after the first inference (MB)', (x) => `${mb(x.weightBytes.loaded)} → ${mb(x.weightBytes.held)}`);
  line('peak tensor memory, one inference (MB)', (x) => mb(x.peakTensorBytes));
  line('GPU bytes held by tfjs after the runs (MB)', (x) => mb(x.gpuBytesAllocated));
  line('tensors / bytes alive before → after the leak runs', (x) =>
    x.leak ? `${x.leak.before.tensors} → ${x.leak.after.tensors} / ${mb(x.leak.before.tensorBytes)} → ${mb(x.leak.after.tensorBytes)} MB` : '–');
  const stages = [...new Set(m.modes.flatMap((x) => Object.keys(x.stagesMs)))];
  if (stages.length) {
    out.push('', `Per stage (ms, median, a GPU wait after each stage): `, '', `| stage | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`);
    for (const s of stages) out.push(`| ${s} | ${m.modes.map((x) => ms(x.stagesMs[s])).join(' | ')} |`);
    out.push(`| **sum** | ${m.modes.map((x) => ms(Object.values(x.stagesMs).reduce((a, b) => a + b, 0))).join(' | ')} |`);
  }
  for (const mode of m.modes) out.push(...opTable(mode));
  out.push('', 'Targets (ratios, same adapter, one run):', '', ...targets(m));
  return out;
}

/** Ops per stage and where their time goes (one staged run under tf.profile, op-profile.ts). */
function opTable(mode: ModeResult): string[] {
  const stages = Object.entries(mode.opsByStage);
  if (!stages.length) return [];
  const timed = stages.some(([, o]) => o.kernelMs !== null);
  const out = ['', `Op profile, ${mode.fused ? 'fused kernels' : 'plain tfjs'} (one more staged run under tf.profile; ${timed ? 'kernel times summed per op' : 'no timestamp queries on this device: op counts only'}):`, '',
    '| stage | ops | kernel ms | largest: op ×calls ms |', '|---|---:|---:|---|'];
  for (const [stage, o] of stages) out.push(`| ${stage} | ${o.ops} | ${ms(o.kernelMs)} | ${o.top.map((t) => `${t.op} ×${t.calls} ${t.kernelMs.toFixed(1)}`).join('; ') || '–'} |`);
  const sum = (f: (o: StageOps) => number) => stages.reduce((a, [, o]) => a + f(o), 0);
  out.push(`| **sum** | ${sum((o) => o.ops)} | ${timed ? ms(sum((o) => o.kernelMs ?? 0)) : '–'} | |`);
  return out;
}

function kernelTables(k: MicroResult): string[] {
  const out: string[] = [];
  out.push('### Kernels: fused WGSL vs plain-tfjs reference', '', `Matmul peak on this adapter (tfjs, ${k.matmulPeak.m}³): ${k.matmulPeak.gflops} GFLOP/s.`, '',
    '| kernel | shapes | fused ms | reference ms | speed-up | fused GFLOP/s | reference GFLOP/s | fused / matmul peak |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const c of k.cases) out.push(`| ${c.kernel} | ${c.shapes} | ${ms(c.fusedMs)} | ${ms(c.referenceMs)} | ${c.speedup}× | ${c.fusedGflops} | ${c.referenceGflops} | ${(c.fusedShareOfPeak * 100).toFixed(1)}% |`);
  out.push('', '| fusion layer | peak MB fused | peak MB reference |', '|---|---:|---:|');
  for (const f of k.fusionMemory) out.push(`| ${f.shapes} | ${mb(f.fusedPeakBytes)} | ${mb(f.referencePeakBytes)} |`);
  out.push('');
  return out;
}

export function markdown(r: BenchReport): string {
  const out = [`Command: \`${r.command}\``, ''];
  if (r.models.length || r.kernels) {
    out.push(`## Node (Dawn)`, '', `Machine: ${r.machine}; adapter: ${r.adapter}; shader-f16: ${r.f16 ? 'yes' : 'no'}; ${r.date}.`, '');
    for (const m of r.models) out.push(...modelTables(m), '');
    if (r.kernels) out.push(...kernelTables(r.kernels));
  }
  if (r.browser) {
    out.push('## Headless Chromium', '', `Adapter: ${r.browser.adapter}; shader-f16: ${r.browser.f16 ? 'yes' : 'no'}; ${r.browser.userAgent}.`, '');
    out.push(...modelTables(r.browser.model), '');
    if (r.browser.kernels) out.push(...kernelTables(r.browser.kernels));
  }
  if (r.convertMemory) out.push('### Converter memory', '', '```json', JSON.stringify(r.convertMemory, null, 2), '```', '');
  return out.join('\n');
}
