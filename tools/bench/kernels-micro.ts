// Per-kernel micro-benchmarks on the active webgpu adapter: each fused WGSL kernel against its
// plain-tfjs reference on the same inputs in the same run, with achieved GFLOP/s and that figure as a
// share of a tfjs matmul peak measured here too; how much of the GLIP-T-width references' time their
// matmuls alone take; and the peak memory of one fusion layer both ways.
import * as tf from '@tensorflow/tfjs';
import { biAttention, biAttentionReference } from '@webglip/core/engine';
import { conv2dBias, conv2dBiasReference } from '@webglip/core/engine';
import { modulatedDeformConv3x3, modulatedDeformConv3x3F16, modulatedDeformConv3x3Reference, tapMajorFilter, tapMajorPairs } from '@webglip/core/engine';
import { setFusedKernels } from '@webglip/core/engine';
import { packF16Pairs } from '@webglip/core/engine';
import { groupNorm, groupNormReference } from '@webglip/core/engine';
import { layerNorm, layerNormReference } from '@webglip/core/engine';
import { linearF16 } from '@webglip/core/engine';
import { tokenLinear, tokenLinearF16, tokenLinearReference } from '@webglip/core/engine';
import { windowAttention, windowAttentionReference } from '@webglip/core/engine';
import { vlFuse } from '@webglip/core/engine';
import { WeightMap } from '@webglip/core/engine';
import { settle, timed } from './gpu.ts';
import { randomParameter } from './random-weights.ts';
import { percentile, round } from './stats.ts';

export interface KernelCase {
  kernel: string;
  /** Which model's shapes, in words. */
  shapes: string;
  flops: number;
  fusedMs: number;
  referenceMs: number;
  /** reference / fused (> 1: the fused kernel is faster). */
  speedup: number;
  fusedGflops: number;
  referenceGflops: number;
  /** Fused GFLOP/s as a share of the measured matmul peak. */
  fusedShareOfPeak: number;
}

export interface FusionMemory {
  shapes: string;
  fusedPeakBytes: number;
  referencePeakBytes: number;
}

/** Where a reference's time goes: its tfjs matmuls alone (same shapes, same run) vs the whole composite. */
export interface ReferenceSplit {
  kernel: string;
  referenceMs: number;
  matmulMs: number;
  /** matmulMs / referenceMs. */
  matmulShare: number;
}

export interface MicroResult {
  matmulPeak: { m: number; gflops: number };
  cases: KernelCase[];
  referenceSplits: ReferenceSplit[];
  fusionMemory: FusionMemory[];
}

export interface MicroOptions {
  reps: number;
  /** Visual tokens of the GLIP-T bi-attention cases (GLIP-T at 800×1333 has 20267). */
  gliptTokens: number;
  /** Shorter image side the GLIP-T Swin / DyHead cases assume. */
  gliptShortSide: number;
}

type Inputs = tf.Tensor[];

function rand(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.randomUniform(shape, -scale, scale, 'float32', seed);
}

async function medianMs(fn: () => tf.Tensor | tf.Tensor[], reps: number): Promise<number> {
  tf.dispose(fn()); // compile and warm
  await settle();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const { ms, value } = await timed(fn);
    tf.dispose(value);
    samples.push(ms);
  }
  return percentile(samples, 50);
}

/** Best of a few 3-pass runs of an m×m×m tfjs matmul: the adapter's practical peak for this backend. */
async function matmulPeak(m: number, reps: number): Promise<{ m: number; gflops: number }> {
  const a = rand([m, m], 1);
  const b = rand([m, m], 2);
  const ms = await medianMs(() => tf.matMul(a, b), reps);
  tf.dispose([a, b]);
  return { m, gflops: round((2 * m ** 3) / ms / 1e6, 2) };
}

/**
 * Median wall times of `fused` and `reference` on the same inputs. After a warm-up call of each, the
 * repetitions alternate (fused, reference, fused, …) so that a change in machine load between
 * repetitions hits both paths alike.
 */
async function pairedMedianMs(fused: () => tf.Tensor | tf.Tensor[], reference: () => tf.Tensor | tf.Tensor[], reps: number): Promise<[number, number]> {
  tf.dispose(fused());
  tf.dispose(reference());
  await settle();
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < reps; i++) {
    for (const [j, fn] of [fused, reference].entries()) {
      const { ms, value } = await timed(fn);
      tf.dispose(value);
      samples[j].push(ms);
    }
  }
  return [percentile(samples[0], 50), percentile(samples[1], 50)];
}

async function kernelCase(
  kernel: string, shapes: string, flops: number, inputs: Inputs, fused: (x: Inputs) => tf.Tensor | tf.Tensor[],
  reference: (x: Inputs) => tf.Tensor | tf.Tensor[], reps: number, peakGflops: number,
): Promise<KernelCase> {
  setFusedKernels(true);
  const [fusedMs, referenceMs] = await pairedMedianMs(() => fused(inputs), () => reference(inputs), reps);
  tf.dispose(inputs);
  const fusedGflops = flops / fusedMs / 1e6;
  return {
    kernel, shapes, flops, fusedMs: round(fusedMs), referenceMs: round(referenceMs), speedup: round(referenceMs / fusedMs, 2),
    fusedGflops: round(fusedGflops, 3), referenceGflops: round(flops / referenceMs / 1e6, 3), fusedShareOfPeak: round(fusedGflops / peakGflops, 3),
  };
}

const biOut = (r: { outV: tf.Tensor; outL: tf.Tensor }): tf.Tensor[] => [r.outV, r.outL];

function biAttentionCase(shapes: string, n: number, t: number, reps: number, peak: number): Promise<KernelCase> {
  const h = 8;
  const d = 256; // VLFuse: embed 2048 over 8 heads
  const inputs = [rand([h, n, d], 3, 0.05), rand([h, t, d], 4), rand([h, n, d], 5), rand([h, t, d], 6), tf.ones([t])];
  const [q, k, vv, vl, m] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
  return kernelCase(`biAttention N=${n} T=${t}`, shapes, 6 * h * n * t * d, inputs,
    () => biOut(biAttention(q, k, vv, vl, m)), () => biOut(biAttentionReference(q, k, vv, vl, m)), reps, peak);
}

/** The bi-attention reference's three matmuls ([H,N,d]·[H,T,d]ᵀ, [H,N,T]·[H,T,d], [H,T,N]·[H,N,d]) vs the whole reference. */
async function biAttentionSplit(n: number, t: number, reps: number): Promise<ReferenceSplit> {
  const h = 8;
  const d = 256;
  const [q, k, vv, vl] = [rand([h, n, d], 3, 0.05), rand([h, t, d], 4), rand([h, n, d], 5), rand([h, t, d], 6)] as tf.Tensor3D[];
  const [attnV, attnL] = [rand([h, n, t], 22), rand([h, t, n], 23)] as tf.Tensor3D[];
  const m = tf.ones([t]) as tf.Tensor1D;
  const [referenceMs, matmulMs] = await pairedMedianMs(
    () => biOut(biAttentionReference(q, k, vv, vl, m)), () => [tf.matMul(q, k, false, true), tf.matMul(attnV, vl), tf.matMul(attnL, vv)], reps);
  tf.dispose([q, k, vv, vl, attnV, attnL, m]);
  return { kernel: `biAttention N=${n} T=${t}`, referenceMs: round(referenceMs), matmulMs: round(matmulMs), matmulShare: round(matmulMs / referenceMs, 3) };
}

/** The deform-conv reference's im2col matmul ([P, 9·C]·[9·C, C]) vs the whole reference. */
async function deformConvSplit(h: number, w: number, c: number, reps: number): Promise<ReferenceSplit> {
  const inputs = [rand([h, w, c], 12), rand([h, w, 18], 13, 2), tf.sigmoid(rand([h, w, 9], 14, 3)), rand([9, c, c], 15, 0.05), rand([c], 16)];
  const [x, off, mask, weight, bias] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
  const [cols, filter] = [rand([h * w, 9 * c], 24), rand([9 * c, c], 25)] as tf.Tensor2D[];
  const [referenceMs, matmulMs] = await pairedMedianMs(() => modulatedDeformConv3x3Reference(x, off, mask, weight, bias, 1), () => tf.matMul(cols, filter), reps);
  tf.dispose([...inputs, cols, filter]);
  return { kernel: `deformConv3x3 ${h}×${w}×${c}`, referenceMs: round(referenceMs), matmulMs: round(matmulMs), matmulShare: round(matmulMs / referenceMs, 3) };
}

function windowAttentionCase(shapes: string, side: number, heads: number, d: number, reps: number, peak: number): Promise<KernelCase> {
  const m = 49;
  const nW = Math.ceil(side / 7) ** 2;
  const mask = tf.tidy(() => tf.mul(tf.cast(tf.greater(rand([nW, m, m], 10), 0.5), 'float32'), -100));
  const inputs = [rand([nW, m, 3 * heads * d], 7), rand([heads, m, m], 11), mask];
  const [qkv, bias, msk] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const scale = d ** -0.5;
  return kernelCase(`windowAttention ${side}×${side} tokens, ${heads} heads`, shapes, 4 * nW * heads * m * m * d, inputs,
    () => windowAttention(qkv, bias, msk, heads, scale), () => windowAttentionReference(qkv, bias, msk, heads, scale), reps, peak);
}

function deformConvCase(shapes: string, h: number, w: number, c: number, reps: number, peak: number): Promise<KernelCase> {
  const inputs = [rand([h, w, c], 12), rand([h, w, 18], 13, 2), tf.sigmoid(rand([h, w, 9], 14, 3)), rand([9, c, c], 15, 0.05), rand([c], 16)];
  const [x, off, mask, weight, bias] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
  return kernelCase(`deformConv3x3 ${h}×${w}×${c}`, shapes, 2 * h * w * c * c * 9, inputs,
    () => modulatedDeformConv3x3(x, off, mask, weight, bias, 1), () => modulatedDeformConv3x3Reference(x, off, mask, weight, bias, 1), reps, peak);
}

/**
 * The deform conv with its filter held as f16 pairs (the engine's choice for filters stored f16)
 * against the plain path on the same values as an f32 filter.
 */
function deformConvF16Case(shapes: string, h: number, w: number, c: number, reps: number, peak: number): Promise<KernelCase> {
  const official = rand([c, c, 3, 3], 15, 0.05) as tf.Tensor4D;
  const inputs = [rand([h, w, c], 12), rand([h, w, 18], 13, 2), tf.sigmoid(rand([h, w, 9], 14, 3)), tapMajorPairs(official), tapMajorFilter(official), rand([c], 16)];
  official.dispose();
  const [x, off, mask, pairs, weight, bias] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor1D];
  return kernelCase(`deformConv3x3 ${h}×${w}×${c} f16 filter`, shapes, 2 * h * w * c * c * 9, inputs,
    () => modulatedDeformConv3x3F16(x, off, mask, pairs, c, bias, 1), () => modulatedDeformConv3x3Reference(x, off, mask, weight, bias, 1), reps, peak);
}

function layerNormCase(shapes: string, n: number, c: number, reps: number, peak: number): Promise<KernelCase> {
  const inputs = [rand([n, c], 17), rand([c], 18), rand([c], 19)];
  const [x, g, b] = inputs;
  return kernelCase(`layerNorm ${n}×${c}`, shapes, 8 * n * c, inputs,
    () => layerNorm(x, g, b, 1e-5), () => layerNormReference(x, g, b, 1e-5), reps, peak);
}

function tokenLinearCase(shapes: string, m: number, k: number, n: number, reps: number, peak: number): Promise<KernelCase> {
  const inputs = [rand([m, k], 29), rand([k, n], 30, 0.1), rand([n], 31)];
  const [x, weight, bias] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  return kernelCase(`tokenLinear ${m}×${k}→${n}`, shapes, 2 * m * k * n, inputs,
    () => tokenLinear(x, weight, bias), () => tokenLinearReference(x, weight, bias), reps, peak);
}

/** The token linear with its weight held as f16 pairs against the plain path on the same values as an f32 weight. */
function tokenLinearF16Case(shapes: string, m: number, k: number, n: number, reps: number, peak: number): Promise<KernelCase> {
  const official = rand([n, k], 30, 0.1);
  const inputs = [rand([m, k], 29), packF16Pairs(official as tf.Tensor2D), tf.transpose(official), rand([n], 31)];
  official.dispose();
  const [x, pairs, weight, bias] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  return kernelCase(`tokenLinear ${m}×${k}→${n} f16 weights`, shapes, 2 * m * k * n, inputs,
    () => tokenLinearF16(x, pairs, bias), () => tokenLinearReference(x, weight, bias), reps, peak);
}

function conv2dCase(shapes: string, h: number, w: number, cin: number, cout: number, k: number, reps: number, peak: number): Promise<KernelCase> {
  const inputs = [rand([1, h, w, cin], 32), rand([k, k, cin, cout], 33, 0.05), rand([cout], 34)];
  const [x, filter, bias] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
  const pad = (k - 1) / 2;
  return kernelCase(`conv2d ${k}×${k} ${h}×${w}×${cin}→${cout}`, shapes, 2 * h * w * cin * cout * k * k, inputs,
    () => conv2dBias(x, filter, bias, 1, pad), () => conv2dBiasReference(x, filter, bias, 1, pad), reps, peak);
}

function groupNormCase(shapes: string, h: number, w: number, c: number, reps: number, peak: number): Promise<KernelCase> {
  const inputs = [rand([1, h, w, c], 35), rand([c], 36), rand([c], 37)];
  const [x, g, b] = inputs as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
  return kernelCase(`groupNorm ${h}×${w}×${c} / 16`, shapes, 8 * h * w * c, inputs,
    () => groupNorm(x, g, b, 16, 1e-5), () => groupNormReference(x, g, b, 16, 1e-5), reps, peak);
}

/**
 * A text-token Linear with its weight held as f16 pairs (the engine's choice for weights stored f16)
 * against the plain path it replaces: tfjs's matmul on the f32 `[in, out]` weight, plus bias.
 */
function linearF16Case(shapes: string, t: number, k: number, n: number, reps: number, peak: number): Promise<KernelCase> {
  const weight = rand([n, k], 26, 0.05);
  const inputs = [rand([t, k], 27), packF16Pairs(weight as tf.Tensor2D), tf.transpose(weight), rand([n], 28)];
  weight.dispose();
  const [x, pairs, f32Weight, bias] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  return kernelCase(`linear f16 weights T=${t} ${k}→${n}`, shapes, 2 * t * k * n, inputs,
    () => linearF16(x, pairs, bias), () => tf.fused.matMul({ a: x, b: f32Weight, bias }), reps, peak);
}

/** Peak live-tensor bytes of one VLFuse layer (GLIP-T dims) with fused kernels on and off. */
async function fusionMemory(n: number, t: number): Promise<FusionMemory> {
  const prefix = 'rpn.head.dyhead_tower.0.b_attn';
  const shapes: Record<string, number[]> = {
    'layer_norm_v.weight': [256], 'layer_norm_v.bias': [256], 'layer_norm_l.weight': [768], 'layer_norm_l.bias': [768],
    'attn.v_proj.weight': [2048, 256], 'attn.v_proj.bias': [2048], 'attn.l_proj.weight': [2048, 768], 'attn.l_proj.bias': [2048],
    'attn.values_v_proj.weight': [2048, 256], 'attn.values_v_proj.bias': [2048], 'attn.values_l_proj.weight': [2048, 768],
    'attn.values_l_proj.bias': [2048], 'attn.out_v_proj.weight': [256, 2048], 'attn.out_v_proj.bias': [256],
    'attn.out_l_proj.weight': [768, 2048], 'attn.out_l_proj.bias': [768], gamma_v: [256], gamma_l: [768],
  };
  const w = new WeightMap(new Map(Object.entries(shapes).map(([k, s], i) => [`${prefix}.${k}`, randomParameter(`${prefix}.${k}`, s, 100 + i)])));
  const visual = [rand([1, 1, n, 256], 20) as tf.Tensor4D];
  const lang = rand([t, 768], 21) as tf.Tensor2D;
  const mask = tf.ones([t]) as tf.Tensor1D;
  // Bytes the layer allocates above what is alive before it (inputs and weights), at its peak.
  const peak = async (on: boolean): Promise<number> => {
    setFusedKernels(on);
    const base = tf.memory().numBytes;
    const info = await tf.profile(() => {
      const out = vlFuse(w, 'rpn.head.dyhead_tower.0', visual, lang, mask, 8);
      return [...out.visual, out.lang];
    });
    await settle();
    tf.dispose(info.result as tf.Tensor[]);
    return info.peakBytes - base;
  };
  const fusedPeakBytes = await peak(true);
  const referencePeakBytes = await peak(false);
  setFusedKernels(true);
  tf.dispose([...visual, lang, mask]);
  w.dispose();
  return { shapes: `GLIP-T fusion layer, N=${n}, T=${t}`, fusedPeakBytes, referencePeakBytes };
}

export async function benchKernels(small: { tokens: number; p3: [number, number]; t: number }, opts: MicroOptions, log: (l: string) => void): Promise<MicroResult> {
  const matmul = await matmulPeak(512, opts.reps);
  log(`matmul 512³ peak ${matmul.gflops} GFLOP/s`);
  const peak = matmul.gflops;
  const cases: KernelCase[] = [];
  const add = (c: KernelCase) => {
    cases.push(c);
    log(`${c.kernel} (${c.shapes}): fused ${c.fusedMs} ms, reference ${c.referenceMs} ms, ×${c.speedup}`);
  };
  const n = opts.gliptTokens;
  const side = opts.gliptShortSide;
  add(await biAttentionCase('small model', small.tokens, small.t, opts.reps, peak));
  add(await biAttentionCase('GLIP-T dims', n, 32, opts.reps, peak));
  add(await biAttentionCase('GLIP-T dims', n, 256, opts.reps, peak));
  add(await windowAttentionCase('small model stage 1', small.p3[0] * 2, 1, 24, opts.reps, peak));
  add(await windowAttentionCase(`GLIP-T stage 1 at ${side} px`, Math.ceil(side / 4), 3, 32, opts.reps, peak));
  add(await deformConvCase('small model P3', small.p3[0], small.p3[1], 64, opts.reps, peak));
  add(await deformConvCase(`GLIP-T P3 at ${side} px`, Math.ceil(side / 8), Math.ceil(side / 8), 256, opts.reps, peak));
  add(await deformConvF16Case(`GLIP-T P3 at ${side} px`, Math.ceil(side / 8), Math.ceil(side / 8), 256, opts.reps, peak));
  add(await layerNormCase('small model fusion', small.tokens, 64, opts.reps, peak));
  add(await layerNormCase('GLIP-T fusion', n, 256, opts.reps, peak));
  const stage1 = Math.ceil(side / 4) ** 2;
  add(await tokenLinearCase('small model stage-1 qkv', small.p3[0] * small.p3[1] * 4, 24, 72, opts.reps, peak));
  add(await tokenLinearCase(`GLIP-T stage-1 MLP at ${side} px`, stage1, 96, 384, opts.reps, peak));
  add(await tokenLinearF16Case(`GLIP-T stage-1 MLP at ${side} px`, stage1, 96, 384, opts.reps, peak));
  add(await conv2dCase('small model FPN P3', small.p3[0], small.p3[1], 64, 64, 3, opts.reps, peak));
  add(await conv2dCase(`GLIP-T FPN P3 at ${side} px`, Math.ceil(side / 8), Math.ceil(side / 8), 256, 256, 3, opts.reps, peak));
  add(await groupNormCase('small model P3', small.p3[0], small.p3[1], 64, opts.reps, peak));
  add(await groupNormCase(`GLIP-T P3 at ${side} px`, Math.ceil(side / 8), Math.ceil(side / 8), 256, opts.reps, peak));
  add(await linearF16Case('GLIP-T BERT FFN', 32, 768, 3072, opts.reps, peak));
  add(await linearF16Case('GLIP-T BERT FFN', 256, 768, 3072, opts.reps, peak));
  const referenceSplits = [await biAttentionSplit(n, 256, opts.reps), await deformConvSplit(Math.ceil(side / 8), Math.ceil(side / 8), 256, opts.reps)];
  for (const r of referenceSplits) log(`${r.kernel} reference: ${r.referenceMs} ms, of which its matmuls alone ${r.matmulMs} ms (${Math.round(r.matmulShare * 100)} %)`);
  const fusionMemoryResults = [await fusionMemory(n, 32), await fusionMemory(n, 256)];
  for (const f of fusionMemoryResults) log(`${f.shapes}: peak fused ${f.fusedPeakBytes} B, reference ${f.referencePeakBytes} B`);
  return { matmulPeak: matmul, cases, referenceSplits, fusionMemory: fusionMemoryResults };
}
