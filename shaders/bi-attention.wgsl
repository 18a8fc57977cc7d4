// Bi-directional image ↔ text attention of GLIP's fusion (BiMultiHeadAttention, utils/fuse_helper.py),
// both directions from one set of q / k / v, without writing the H×N×T logits to memory.
//
//   A[h, n, t]    = clamp(q[h, n] · k[h, t], ±50000)
//   outV[h, n]    = Σ_t softmax_t(A[h, n, t] + maskAdd[t]) · valueL[h, t]           image ← text
//   outL[h, t]    = Σ_n softmax_n(clamp(A[h, n, t] − max_n A[h, n, t], ±50000)) · valueV[h, n]
//                                                                                   text ← image
//   maskAdd[t]    = −9e15 where textMask[t] = 0, else textMask[t] (so +1 for real tokens): the official
//                   masked_fill on the 0/1 mask. The text ← image side is not masked at all.
//
// Layouts (f32, row-major, contiguous): q [H, N, D] (already scaled by (embed/H)^−½), k [H, T, D],
// valueV [H, N, D], valueL [H, T, D], textMask [T]; outV [H, N, D], outL [H, T, D];
// partials [H, S, T, D + 2] scratch (S = number of image-token segments).
//
// Three entry points, dispatched in this order in one compute pass:
//
// imageFromText — one workgroup per (head, ROWS consecutive image tokens); H · ⌈N/ROWS⌉ workgroups.
//   Softmax over T is cheap because T ≤ TMAX (256): the workgroup computes its ROWS × T logits into
//   workgroup memory, normalises each row, then multiplies by valueL, each thread owning output
//   elements (row, channel) strided by WG.
//
// textPartials — one workgroup per (head, TT consecutive text tokens, segment of `segLen` image
//   tokens); H · ⌈T/TT⌉ · S workgroups. Softmax over N is done online (flash-attention style): the
//   workgroup walks its segment NB image tokens at a time, keeping per text token a running max, a
//   running sum of exp(A − max) and a TT × D accumulator in workgroup memory, rescaled whenever the
//   max grows. It writes (accumulator, max, sum) of its segment to `partials`.
//   The official clamp of A − max to ±50000 changes nothing here: A − max ≤ 0, and exp of anything
//   below −50000 is 0 in f32 either way; the softmax's own max subtraction is then a shift by 0.
//
// textCombine — one workgroup per (head, text token); H · T workgroups. Merges the S segment
//   partials: M = max_s m_s, outL = Σ_s acc_s · e^(m_s − M) / Σ_s sum_s · e^(m_s − M).
//
// Grids larger than 65535 are laid over x and y; a workgroup's linear id is wg.y · numWorkgroups.x + wg.x.
// Accumulation is f32 throughout.

// Largest head dimension D (sizes textPartials' accumulators); D itself is a uniform, so every head
// dimension up to DMAX shares one pipeline (GLIP: D = 2048 / 8 heads = 256).
override DMAX: u32 = 256u;
// Threads per workgroup.
override WG: u32 = 64u;
// imageFromText: image tokens per workgroup, and the most text tokens supported.
override ROWS: u32 = 8u;
override TMAX: u32 = 256u;
// textPartials: text tokens per workgroup, image tokens per step.
override TT: u32 = 8u;
override NB: u32 = 8u;

const CLAMP: f32 = 50000.0;
const MASKED: f32 = -9e15;
// Stands for −∞ (WGSL has no infinity literal); exp(LOWEST − x) is 0 for every finite logit x.
const LOWEST: f32 = -3.0e38;

struct Params {
  heads: u32,
  d: u32,        // head dimension, ≤ DMAX
  n: u32,        // image tokens
  t: u32,        // text tokens
  segLen: u32,   // image tokens per textPartials segment, a multiple of NB
  segments: u32, // ⌈n / segLen⌉
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> valueV: array<f32>;
@group(0) @binding(3) var<storage, read> valueL: array<f32>;
@group(0) @binding(4) var<storage, read> textMask: array<f32>;
@group(0) @binding(5) var<storage, read_write> outV: array<f32>;
@group(0) @binding(6) var<storage, read_write> outL: array<f32>;
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

// imageFromText: the ROWS × T logits, then the softmax weights, of the workgroup's image tokens.
var<workgroup> rowWeights: array<f32, ROWS * TMAX>;

// textPartials: accumulators [TT, D]; logits then weights of the current step [NB, TT]; per text
// token the running max, running sum, and the factor rescaling the accumulator in this step.
var<workgroup> textAcc: array<f32, TT * DMAX>;
var<workgroup> stepWeights: array<f32, NB * TT>;
var<workgroup> runMax: array<f32, TT>;
var<workgroup> runSum: array<f32, TT>;
var<workgroup> rescale: array<f32, TT>;

fn linearId(wg: vec3<u32>, grid: vec3<u32>) -> u32 {
  return wg.y * grid.x + wg.x;
}

// clamp(q[h, n] · k[h, t], ±50000)
fn logit(h: u32, n: u32, t: u32) -> f32 {
  let D = params.d;
  let qBase = (h * params.n + n) * D;
  let kBase = (h * params.t + t) * D;
  var a = 0.0;
  for (var c = 0u; c < D; c++) {
    a += q[qBase + c] * k[kBase + c];
  }
  return clamp(a, -CLAMP, CLAMP);
}

@compute @workgroup_size(WG)
fn imageFromText(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let tiles = (params.n + ROWS - 1u) / ROWS;
  let id = linearId(wg, grid);
  if (id >= params.heads * tiles) {
    return;
  }
  let h = id / tiles;
  let n0 = (id % tiles) * ROWS;
  let T = params.t;
  let D = params.d;

  for (var i = lid; i < ROWS * T; i += WG) {
    let r = i / T;
    let t = i % T;
    let m = textMask[t];
    let maskAdd = select(m, MASKED, m == 0.0);
    var a = 0.0;
    if (n0 + r < params.n) {
      a = logit(h, n0 + r, t);
    }
    rowWeights[r * TMAX + t] = a + maskAdd;
  }
  workgroupBarrier();

  if (lid < ROWS) {
    let base = lid * TMAX;
    var m = LOWEST;
    for (var t = 0u; t < T; t++) {
      m = max(m, rowWeights[base + t]);
    }
    var sum = 0.0;
    for (var t = 0u; t < T; t++) {
      let e = exp(rowWeights[base + t] - m);
      rowWeights[base + t] = e;
      sum += e;
    }
    for (var t = 0u; t < T; t++) {
      rowWeights[base + t] = rowWeights[base + t] / sum;
    }
  }
  workgroupBarrier();

  for (var i = lid; i < ROWS * D; i += WG) {
    let r = i / D;
    let c = i % D;
    let n = n0 + r;
    if (n < params.n) {
      var acc = 0.0;
      for (var t = 0u; t < T; t++) {
        acc += rowWeights[r * TMAX + t] * valueL[(h * T + t) * D + c];
      }
      outV[(h * params.n + n) * D + c] = acc;
    }
  }
}

@compute @workgroup_size(WG)
fn textPartials(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let T = params.t;
  let D = params.d;
  let S = params.segments;
  let textTiles = (T + TT - 1u) / TT;
  let id = linearId(wg, grid);
  if (id >= params.heads * textTiles * S) {
    return;
  }
  let h = id / (textTiles * S);
  let t0 = ((id / S) % textTiles) * TT;
  let segment = id % S;
  let nStart = segment * params.segLen;
  let nEnd = min(nStart + params.segLen, params.n);

  for (var i = lid; i < TT * D; i += WG) {
    textAcc[i] = 0.0;
  }
  if (lid < TT) {
    runMax[lid] = LOWEST;
    runSum[lid] = 0.0;
  }
  workgroupBarrier();

  for (var step = nStart; step < nEnd; step += NB) {
    for (var i = lid; i < NB * TT; i += WG) {
      let n = step + i / TT;
      let t = t0 + i % TT;
      var a = LOWEST;
      if (n < nEnd && t < T) {
        a = logit(h, n, t);
      }
      stepWeights[i] = a;
    }
    workgroupBarrier();

    if (lid < TT) {
      let steps = min(NB, nEnd - step);
      var m = runMax[lid];
      for (var j = 0u; j < steps; j++) {
        m = max(m, stepWeights[j * TT + lid]);
      }
      let factor = exp(runMax[lid] - m);
      var sum = runSum[lid] * factor;
      for (var j = 0u; j < NB; j++) {
        var e = 0.0;
        if (j < steps) {
          e = exp(stepWeights[j * TT + lid] - m);
        }
        stepWeights[j * TT + lid] = e;
        sum += e;
      }
      rescale[lid] = factor;
      runMax[lid] = m;
      runSum[lid] = sum;
    }
    workgroupBarrier();

    for (var i = lid; i < TT * D; i += WG) {
      let tt = i / D;
      let c = i % D;
      var acc = textAcc[i] * rescale[tt];
      for (var j = 0u; j < NB; j++) {
        let n = step + j;
        if (n < nEnd) {
          acc += stepWeights[j * TT + tt] * valueV[(h * params.n + n) * D + c];
        }
      }
      textAcc[i] = acc;
    }
    workgroupBarrier();
  }

  let stride = D + 2u;
  for (var i = lid; i < TT * D; i += WG) {
    let t = t0 + i / D;
    if (t < T) {
      partials[((h * S + segment) * T + t) * stride + i % D] = textAcc[i];
    }
  }
  if (lid < TT && t0 + lid < T) {
    let base = ((h * S + segment) * T + t0 + lid) * stride;
    partials[base + D] = runMax[lid];
    partials[base + D + 1u] = runSum[lid];
  }
}

@compute @workgroup_size(WG)
fn textCombine(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let T = params.t;
  let S = params.segments;
  let id = linearId(wg, grid);
  if (id >= params.heads * T) {
    return;
  }
  let h = id / T;
  let t = id % T;
  let D = params.d;
  let stride = D + 2u;

  var m = LOWEST;
  for (var s = 0u; s < S; s++) {
    m = max(m, partials[((h * S + s) * T + t) * stride + D]);
  }
  var sum = 0.0;
  for (var s = 0u; s < S; s++) {
    let base = ((h * S + s) * T + t) * stride;
    sum += partials[base + D + 1u] * exp(partials[base + D] - m);
  }
  for (var c = lid; c < D; c += WG) {
    var acc = 0.0;
    for (var s = 0u; s < S; s++) {
      let base = ((h * S + s) * T + t) * stride;
      acc += partials[base + c] * exp(partials[base + D] - m);
    }
    outL[(h * T + t) * D + c] = acc / sum;
  }
}
