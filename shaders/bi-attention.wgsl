// Bi-directional image ↔ text attention of GLIP's fusion (BiMultiHeadAttention, utils/fuse_helper.py),
// both directions from one set of q / k / v, computing each logit once and never writing the
// H×N×T logits to memory.
//
//   A[h, n, t]    = clamp(q[h, n] · k[h, t], ±50000)
//   outV[h, n]    = Σ_t softmax_t(A[h, n, t] + maskAdd[t]) · valueL[h, t]           image ← text
//   outL[h, t]    = Σ_n softmax_n(clamp(A[h, n, t] − max_n A[h, n, t], ±50000)) · valueV[h, n]
//                                                                                   text ← image
//   maskAdd[t]    = −9e15 where textMask[t] = 0, else textMask[t] (so +1 for real tokens): the official
//                   masked_fill on the 0/1 mask. The text ← image side is not masked at all.
//   The official clamp of A − max to ±50000 changes nothing: A − max ≤ 0, and exp of anything below
//   −50000 is 0 in f32 either way; the softmax's own max subtraction is then a shift by 0.
//
// Layouts (f32, row-major, contiguous; D a multiple of 8, read as vec4): q [H_img, N, D] (already scaled
// by (embed/H)^−½), k [H, T, D], valueV [H_img, N, D], valueL [H, T, D], textMask [T]; outV [H, N, D],
// outL [H, T, D]; partials [H, S, T, D + 4] scratch: per segment s and text token t the text ← image
// accumulator (D floats), then (running max, running sum, 0, 0). H_img is H, or 1 when every head reads
// the same image tokens (the folded form of `kernels/bi-attention.ts`); head h reads image head h % H_img.
//
// Two entry points, dispatched in this order in one compute pass:
//
// segment — one workgroup per (head, segment of `segLen` consecutive image tokens); H · S workgroups.
//   The workgroup walks its segment R image tokens at a time (R = params.rows, a multiple of 4 with
//   R · T′ ≤ CAP, T′ = T rounded up to 4). Per step, with three barriers:
//   1. logits: the R × T′ logits in 4 × 4 register blocks (vec4 over D); each goes to workgroup memory
//      twice, as A + maskAdd in `imageP` ([T′, R], vec4 over 4 image tokens) and as A in `textP`
//      ([R, T′], vec4 over 4 text tokens); per image token the max of A + maskAdd and per text token
//      the max of A over the step go to workgroup atomics (floats as order-preserving integers).
//   2. exponentials, element-wise: imageP ← exp(A + maskAdd − rowMax); textP ← exp(A − m′) with
//      m′ = max(running max, step max) of the text token; the text tokens' rescale factors
//      exp(running max − m′) are kept.
//   3. image ← text: outV rows = (imageP · valueL) / Σ_t imageP, in 4-token × 8-channel register
//      blocks — complete for these R image tokens, written once.
//      text ← image: the segment's accumulator [T, D] lives in `partials` (the workgroup owns that
//      slice, so no atomics); each 4-text-token × 8-channel block is read, rescaled, given
//      textP · valueV of the step, and written back; running max and sum advance.
//   At the end the segment's (running max, running sum) per text token go to `partials`.
//
// combine — one invocation per (head, text token, 4 channels); ⌈H · T · D/4 / WG⌉ workgroups. Merges
//   the S segments: M = max_s m_s, outL = Σ_s acc_s · e^(m_s − M) / Σ_s sum_s · e^(m_s − M).
//
// Grids larger than 65535 are laid over x and y; a workgroup's linear id is wg.y · numWorkgroups.x + wg.x.
// Accumulation is f32 throughout.

// Threads per workgroup.
override WG: u32 = 64u;
// Floats of each of the two step arrays (R · T′ ≤ CAP), a multiple of 16.
override CAP: u32 = 3072u;
// The most text tokens (T′ ≤ TMAX), a multiple of 4, and the most image tokens per step.
override TMAX: u32 = 256u;
override RMAX: u32 = 64u;

const CLAMP: f32 = 50000.0;
const MASKED: f32 = -9e15;
// Stands for −∞ (WGSL has no infinity literal); exp(LOWEST − x) is 0 for every finite logit x.
const LOWEST: f32 = -3.0e38;

struct Params {
  heads: u32,
  dq: u32,       // head dimension / 4
  n: u32,        // image tokens
  t: u32,        // text tokens
  tq: u32,       // T′ / 4
  rows: u32,     // R, image tokens per step, a multiple of 4
  segLen: u32,   // image tokens per segment, a multiple of R
  segments: u32, // S = ⌈n / segLen⌉
  imageHeads: u32, // H_img: H, or 1 when q and valueV are shared by all heads
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> valueV: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> valueL: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> textMask: array<f32>;
@group(0) @binding(5) var<storage, read_write> outV: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> outL: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(8) var<uniform> params: Params;

// The step's weights: imageP [T′, R] (vec4 over image tokens), textP [R, T′] (vec4 over text tokens).
var<workgroup> imageP: array<vec4<f32>, CAP / 4u>;
var<workgroup> textP: array<vec4<f32>, CAP / 4u>;
// Per image token of the step: max of A + maskAdd; per text token: max of A over the step.
var<workgroup> rowMax: array<atomic<i32>, RMAX>;
var<workgroup> colMax: array<atomic<i32>, TMAX>;
// Per text token (vec4 over 4 tokens): running max and sum over the segment so far, the max after
// this step, and the factor rescaling the accumulator in this step.
var<workgroup> runMax: array<vec4<f32>, TMAX / 4u>;
var<workgroup> runSum: array<vec4<f32>, TMAX / 4u>;
var<workgroup> stepMax: array<vec4<f32>, TMAX / 4u>;
var<workgroup> rescale: array<vec4<f32>, TMAX / 4u>;

fn linearId(wg: vec3<u32>, grid: vec3<u32>) -> u32 {
  return wg.y * grid.x + wg.x;
}

// Floats as integers with the same order (for atomicMax), and back.
fn ordered(x: f32) -> i32 {
  let b = bitcast<i32>(x);
  return select(b, b ^ 0x7fffffff, b < 0);
}

fn unordered(i: i32) -> f32 {
  return bitcast<f32>(select(i, i ^ 0x7fffffff, i < 0));
}

fn maskAdd(t: u32) -> f32 {
  let m = textMask[t];
  return select(m, MASKED, m == 0.0);
}

// Phase 1 for one 4 × 4 block: image tokens n0 + 4·rb …, text tokens 4·tb …
fn logitBlock(h: u32, n0: u32, rb: u32, tb: u32) {
  let N = params.n;
  let T = params.t;
  let Dq = params.dq;
  let R = params.rows;
  let Tq = params.tq;
  // Rows past N and tokens past T read a valid neighbour; their results are replaced below.
  var qBase: array<u32, 4>;
  var kBase: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    qBase[i] = ((h % params.imageHeads) * N + min(n0 + 4u * rb + i, N - 1u)) * Dq;
    kBase[i] = (h * T + min(4u * tb + i, T - 1u)) * Dq;
  }
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  for (var c = 0u; c < Dq; c++) {
    // Columns: the 4 text tokens; q · K gives one row of 4 logits.
    let K = mat4x4<f32>(k[kBase[0] + c], k[kBase[1] + c], k[kBase[2] + c], k[kBase[3] + c]);
    a0 += q[qBase[0] + c] * K;
    a1 += q[qBase[1] + c] * K;
    a2 += q[qBase[2] + c] * K;
    a3 += q[qBase[3] + c] * K;
  }
  var rowsA = array<vec4<f32>, 4>(a0, a1, a2, a3); // rowsA[i][j]: image token i, text token j
  var tokenValid: vec4<bool>;
  var add: vec4<f32>;
  for (var j = 0u; j < 4u; j++) {
    let t = 4u * tb + j;
    tokenValid[j] = t < T;
    add[j] = select(LOWEST, maskAdd(min(t, T - 1u)), t < T);
  }
  var colBlockMax = vec4<f32>(LOWEST);
  var imageCols: array<vec4<f32>, 4>; // imageCols[j][i]: text token j, image token i
  for (var i = 0u; i < 4u; i++) {
    let a = clamp(rowsA[i], vec4<f32>(-CLAMP), vec4<f32>(CLAMP));
    let rowValid = n0 + 4u * rb + i < N;
    // Text side: rows past N weigh 0; tokens past T (never read back) stay finite.
    textP[(4u * rb + i) * Tq + tb] = select(vec4<f32>(LOWEST), a, tokenValid & vec4<bool>(rowValid));
    if (rowValid) {
      colBlockMax = max(colBlockMax, a);
    }
    // Image side: tokens past T weigh 0 (LOWEST), masked tokens get −9e15.
    let withMask = select(vec4<f32>(LOWEST), a + add, tokenValid);
    let m = max(max(withMask.x, withMask.y), max(withMask.z, withMask.w));
    atomicMax(&rowMax[4u * rb + i], ordered(m));
    for (var j = 0u; j < 4u; j++) {
      imageCols[j][i] = withMask[j];
    }
  }
  for (var j = 0u; j < 4u; j++) {
    imageP[(4u * tb + j) * (R / 4u) + rb] = imageCols[j];
    if (tokenValid[j]) {
      atomicMax(&colMax[4u * tb + j], ordered(colBlockMax[j]));
    }
  }
}

@compute @workgroup_size(WG)
fn segment(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let S = params.segments;
  let id = linearId(wg, grid);
  if (id >= params.heads * S) {
    return;
  }
  let h = id / S;
  let s = id % S;
  let N = params.n;
  let T = params.t;
  let Dq = params.dq;
  let R = params.rows;
  let Rq = R / 4u;
  let Tq = params.tq;
  let nStart = s * params.segLen;
  let nEnd = min(nStart + params.segLen, N);
  // Partials row of (segment, text token t): acc at partialBase(t) + c, statistics at + Dq.
  let partialStride = Dq + 1u;
  let partialHead = (h * S + s) * T;

  for (var i = lid; i < Tq; i += WG) {
    runMax[i] = vec4<f32>(LOWEST);
    runSum[i] = vec4<f32>(0.0);
  }
  for (var i = lid; i < 4u * Tq; i += WG) {
    atomicStore(&colMax[i], ordered(LOWEST));
  }
  for (var i = lid; i < R; i += WG) {
    atomicStore(&rowMax[i], ordered(LOWEST));
  }
  workgroupBarrier();

  for (var n0 = nStart; n0 < nEnd; n0 += R) {
    let stepRows = min(R, nEnd - n0);

    // 1. logits
    for (var b = lid; b < Rq * Tq; b += WG) {
      logitBlock(h, n0, b / Tq, b % Tq);
    }
    workgroupBarrier();

    // 2. exponentials
    for (var e = lid; e < R * Tq; e += WG) {
      let r = e / Tq;
      let tb = e % Tq;
      var colM: vec4<f32>;
      for (var j = 0u; j < 4u; j++) {
        colM[j] = unordered(atomicLoad(&colMax[4u * tb + j]));
      }
      let old = runMax[tb];
      let m = max(old, colM);
      textP[e] = exp(textP[e] - m);
      if (r == 0u) {
        stepMax[tb] = m;
        rescale[tb] = exp(old - m);
      }
    }
    for (var e = lid; e < 4u * Tq * Rq; e += WG) {
      let rb = e % Rq;
      var rowM: vec4<f32>;
      for (var i = 0u; i < 4u; i++) {
        rowM[i] = unordered(atomicLoad(&rowMax[4u * rb + i]));
      }
      imageP[e] = exp(imageP[e] - rowM);
    }
    workgroupBarrier();

    // 3a. image ← text: 4 image tokens × 8 channels per block.
    let halfDq = Dq / 2u;
    for (var b = lid; b < Rq * halfDq; b += WG) {
      let rb = b / halfDq;
      let c = 2u * (b % halfDq);
      var o00 = vec4<f32>(0.0);
      var o01 = vec4<f32>(0.0);
      var o10 = vec4<f32>(0.0);
      var o11 = vec4<f32>(0.0);
      var o20 = vec4<f32>(0.0);
      var o21 = vec4<f32>(0.0);
      var o30 = vec4<f32>(0.0);
      var o31 = vec4<f32>(0.0);
      var sum = vec4<f32>(0.0);
      for (var t = 0u; t < T; t++) {
        let p = imageP[t * Rq + rb];
        let base = (h * T + t) * Dq + c;
        let v0 = valueL[base];
        let v1 = valueL[base + 1u];
        o00 += p.x * v0;
        o01 += p.x * v1;
        o10 += p.y * v0;
        o11 += p.y * v1;
        o20 += p.z * v0;
        o21 += p.z * v1;
        o30 += p.w * v0;
        o31 += p.w * v1;
        sum += p;
      }
      var o = array<vec4<f32>, 8>(o00, o01, o10, o11, o20, o21, o30, o31);
      for (var i = 0u; i < 4u; i++) {
        let n = n0 + 4u * rb + i;
        if (n < nEnd) {
          let base = (h * N + n) * Dq + c;
          outV[base] = o[2u * i] / sum[i];
          outV[base + 1u] = o[2u * i + 1u] / sum[i];
        }
      }
    }

    // 3b. text ← image: 4 text tokens × 8 channels per block, accumulated in `partials`.
    let first = n0 == nStart;
    for (var b = lid; b < Tq * halfDq; b += WG) {
      let tb = b / halfDq;
      let c = 2u * (b % halfDq);
      let f = rescale[tb];
      var acc: array<vec4<f32>, 8>;
      for (var j = 0u; j < 4u; j++) {
        let t = 4u * tb + j;
        var a0 = vec4<f32>(0.0);
        var a1 = vec4<f32>(0.0);
        if (!first && t < T) {
          let base = (partialHead + t) * partialStride + c;
          a0 = partials[base] * f[j];
          a1 = partials[base + 1u] * f[j];
        }
        acc[2u * j] = a0;
        acc[2u * j + 1u] = a1;
      }
      var a00 = acc[0];
      var a01 = acc[1];
      var a10 = acc[2];
      var a11 = acc[3];
      var a20 = acc[4];
      var a21 = acc[5];
      var a30 = acc[6];
      var a31 = acc[7];
      var colSum = vec4<f32>(0.0);
      for (var r = 0u; r < stepRows; r++) {
        let p = textP[r * Tq + tb];
        let base = ((h % params.imageHeads) * N + n0 + r) * Dq + c;
        let v0 = valueV[base];
        let v1 = valueV[base + 1u];
        a00 += p.x * v0;
        a01 += p.x * v1;
        a10 += p.y * v0;
        a11 += p.y * v1;
        a20 += p.z * v0;
        a21 += p.z * v1;
        a30 += p.w * v0;
        a31 += p.w * v1;
        colSum += p;
      }
      acc = array<vec4<f32>, 8>(a00, a01, a10, a11, a20, a21, a30, a31);
      for (var j = 0u; j < 4u; j++) {
        let t = 4u * tb + j;
        if (t < T) {
          let base = (partialHead + t) * partialStride + c;
          partials[base] = acc[2u * j];
          partials[base + 1u] = acc[2u * j + 1u];
        }
      }
      if (c == 0u) {
        runSum[tb] = runSum[tb] * f + colSum;
        runMax[tb] = stepMax[tb];
        for (var j = 0u; j < 4u; j++) {
          atomicStore(&colMax[4u * tb + j], ordered(LOWEST));
        }
      }
    }
    for (var i = lid; i < R; i += WG) {
      atomicStore(&rowMax[i], ordered(LOWEST));
    }
    workgroupBarrier();
  }

  for (var t = lid; t < T; t += WG) {
    let m = runMax[t / 4u];
    let z = runSum[t / 4u];
    partials[(partialHead + t) * partialStride + Dq] = vec4<f32>(m[t % 4u], z[t % 4u], 0.0, 0.0);
  }
}

@compute @workgroup_size(WG)
fn combine(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let T = params.t;
  let S = params.segments;
  let Dq = params.dq;
  let id = linearId(wg, grid) * WG + lid;
  if (id >= params.heads * T * Dq) {
    return;
  }
  let c = id % Dq;
  let ht = id / Dq; // h · T + t
  let h = ht / T;
  let t = ht % T;
  let stride = Dq + 1u;

  var m = LOWEST;
  for (var s = 0u; s < S; s++) {
    m = max(m, partials[((h * S + s) * T + t) * stride + Dq].x);
  }
  var sum = 0.0;
  var acc = vec4<f32>(0.0);
  for (var s = 0u; s < S; s++) {
    let base = ((h * S + s) * T + t) * stride;
    let stats = partials[base + Dq];
    let w = exp(stats.x - m);
    sum += stats.y * w;
    acc += partials[base + c] * w;
  }
  outL[ht * Dq + c] = acc / sum;
}
