// A Linear layer over many tokens with narrow weights (Swin's qkv, proj, MLP and patch merging,
// every other image-side Linear, the heads' token alignment, the phrase scores), f32:
//
//   y[m, n] = act(bias[n] + Σ_k x[m, k] · W[k, n])     (bias only when params.hasBias is 1)
//
// act is the identity, or GELU when params.gelu is 1: 0.5·y·(1 + erf(y/√2)), erf by Abramowitz and
// Stegun 7.1.26 with the constants tfjs's own erf uses (|error| ≤ 1.5e-7), so a Swin MLP's fc1 and
// its GELU are one pass.
//
// Layouts (row-major, contiguous): x [M, K], W [K, N] (the `in,out` layout) or its f16 pairs
// [K/2, N] (`f16-pairs.wgsl`: pairs[p, n] = W[2p, n] | W[2p + 1, n] << 16), bias [N], y [M, N].
// Batched: B such products in one dispatch, x [B, M, K], W [B, K, N] (params.weightStride = K · N),
// y [B, M, N]; a block's rows stay within one batch.
//
// Each invocation computes a ROWS × 4 block of y (rows r0 … r0 + ROWS − 1, columns 4c … 4c + 3)
// in ROWS vec4 accumulators; per 4 steps of K it reads 4 vec4 of W and 4 values of x per row, for
// 16·ROWS multiply-adds. No workgroup memory and no barriers: neighbouring invocations take
// neighbouring column blocks of the same rows, so their W reads are contiguous and their x reads
// the same. (On SwiftShader this ran 3–10× tfjs's 32 × 32-tiled matmul on glip-nano's Swin shapes
// and 3.5× at 512³; 16 rows beat 8 and 4 there.)
//
// Two entry points over the same bindings, seen as vec4 or as f32 arrays (WGSL lets entry points
// that do not share a variable bind the same slot with different types):
//   main     — K and N multiples of 4: x, bias and y read and written as vec4, W as vec4 words: f32
//              bits, or with HALF_WEIGHTS f16 pairs (unpacked to f32 with core WGSL's
//              unpack2x16float; the arithmetic stays f32): half the weight bytes.
//   anyWidth — any K and N, f32 W: scalar reads (W columns past N read column 0), a K tail of K mod 4
//              steps, and only columns below N stored. ~10–40 % slower than `main`.
//
// Dispatch: blocks numbered column-block-fastest (block = (batch · rowBlocks + rowBlock) · ⌈N/4⌉ + c), WG per
// workgroup, the workgroups laid over a 2-D grid (workgroup = wg.y · numWorkgroups.x + wg.x);
// invocations past the last block return at once. Rows past M read row r0 and are not stored.

override WG: u32 = 64u;
// Whether W is held as f16 pairs (main only).
override HALF_WEIGHTS: bool = false;
// Rows per invocation: a constant, as it sizes the accumulator array.
const ROWS: u32 = 16u;

struct Params {
  m: u32,         // rows per batch
  k: u32,
  n: u32,
  colBlocks: u32, // ⌈N / 4⌉
  blocks: u32,    // B · rowBlocks · colBlocks
  hasBias: u32,
  gelu: u32,
  rowBlocks: u32, // ⌈M / ROWS⌉
  weightStride: u32, // elements from one batch's W to the next: K · N, or 0 when every batch shares W
}

@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w4: array<vec4<u32>>; // f32 bits, or f16 pairs when HALF_WEIGHTS
@group(0) @binding(2) var<storage, read> bias4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y4: array<vec4<f32>>;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@group(0) @binding(4) var<uniform> params: Params;

// erf(a), Abramowitz and Stegun 7.1.26 (tfjs's backend_util.ERF_* constants).
fn erf(a: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(a));
  let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign(a) * (1.0 - poly * exp(-a * a));
}

// The activation on a block of 4 outputs.
fn activate(v: vec4<f32>) -> vec4<f32> {
  if (params.gelu == 0u) {
    return v;
  }
  let s = 0.7071067811865476;
  return 0.5 * v * (vec4<f32>(1.0) + vec4<f32>(erf(v.x * s), erf(v.y * s), erf(v.z * s), erf(v.w * s)));
}

// The invocation's block: its column block c, first row r0 (of x and y as [B · M, ·]), its rows
// within the batch, and the first element of its batch's W; null past the last block.
struct Block {
  valid: bool,
  c: u32,
  r0: u32,
  rows: u32,
  w0: u32,
}

fn blockOf(wg: vec3<u32>, grid: vec3<u32>, t: u32) -> Block {
  let block = (wg.y * grid.x + wg.x) * WG + t;
  if (block >= params.blocks) {
    return Block(false, 0u, 0u, 0u, 0u);
  }
  let rowBlock = block / params.colBlocks;
  let batch = rowBlock / params.rowBlocks;
  let first = (rowBlock % params.rowBlocks) * ROWS;
  return Block(true, block % params.colBlocks, batch * params.m + first, min(ROWS, params.m - first), batch * params.weightStride);
}

// W's rows 4kk … 4kk + 3 at the block's 4 columns: f32 words as they are, or f16 pairs unpacked (pair
// rows 2kk and 2kk + 1 hold W's rows 4kk, 4kk + 1 and 4kk + 2, 4kk + 3, low half first).
fn weightRows4(b: Block, kk: u32) -> array<vec4<f32>, 4> {
  let n4 = params.colBlocks;
  if (HALF_WEIGHTS) {
    let p = w4[b.w0 / 8u + 2u * kk * n4 + b.c];
    let q = w4[b.w0 / 8u + (2u * kk + 1u) * n4 + b.c];
    let p0 = unpack2x16float(p.x);
    let p1 = unpack2x16float(p.y);
    let p2 = unpack2x16float(p.z);
    let p3 = unpack2x16float(p.w);
    let q0 = unpack2x16float(q.x);
    let q1 = unpack2x16float(q.y);
    let q2 = unpack2x16float(q.z);
    let q3 = unpack2x16float(q.w);
    return array<vec4<f32>, 4>(
      vec4<f32>(p0.x, p1.x, p2.x, p3.x),
      vec4<f32>(p0.y, p1.y, p2.y, p3.y),
      vec4<f32>(q0.x, q1.x, q2.x, q3.x),
      vec4<f32>(q0.y, q1.y, q2.y, q3.y),
    );
  }
  let r = b.w0 / 4u + 4u * kk * n4 + b.c;
  return array<vec4<f32>, 4>(bitcast<vec4<f32>>(w4[r]), bitcast<vec4<f32>>(w4[r + n4]), bitcast<vec4<f32>>(w4[r + 2u * n4]), bitcast<vec4<f32>>(w4[r + 3u * n4]));
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let b = blockOf(wg, grid, t);
  if (!b.valid) {
    return;
  }
  let n4 = params.colBlocks;
  let k4 = params.k / 4u;

  var rowBase: array<u32, ROWS>;
  var acc: array<vec4<f32>, ROWS>;
  for (var i = 0u; i < ROWS; i++) {
    rowBase[i] = select(b.r0, b.r0 + i, i < b.rows) * k4;
    acc[i] = vec4<f32>(0.0);
  }
  for (var kk = 0u; kk < k4; kk++) {
    let wk = weightRows4(b, kk);
    for (var i = 0u; i < ROWS; i++) {
      let xv = x4[rowBase[i] + kk];
      acc[i] += xv.x * wk[0] + xv.y * wk[1] + xv.z * wk[2] + xv.w * wk[3];
    }
  }
  var bv = vec4<f32>(0.0);
  if (params.hasBias == 1u) {
    bv = bias4[b.c];
  }
  for (var i = 0u; i < b.rows; i++) {
    y4[(b.r0 + i) * n4 + b.c] = activate(acc[i] + bv);
  }
}

@compute @workgroup_size(WG)
fn anyWidth(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let b = blockOf(wg, grid, t);
  if (!b.valid) {
    return;
  }
  let n = params.n;
  let kDim = params.k;
  // The block's 4 columns, clamped to column 0 past N.
  var col: vec4<u32>;
  for (var q = 0u; q < 4u; q++) {
    col[q] = select(0u, 4u * b.c + q, 4u * b.c + q < n);
  }
  var rowBase: array<u32, ROWS>;
  var acc: array<vec4<f32>, ROWS>;
  for (var i = 0u; i < ROWS; i++) {
    rowBase[i] = select(b.r0, b.r0 + i, i < b.rows) * kDim;
    acc[i] = vec4<f32>(0.0);
  }
  let k4 = kDim / 4u;
  for (var kk = 0u; kk < k4; kk++) {
    let r = b.w0 + 4u * kk * n;
    let w0 = vec4<f32>(w[r + col.x], w[r + col.y], w[r + col.z], w[r + col.w]);
    let w1 = vec4<f32>(w[r + n + col.x], w[r + n + col.y], w[r + n + col.z], w[r + n + col.w]);
    let w2 = vec4<f32>(w[r + 2u * n + col.x], w[r + 2u * n + col.y], w[r + 2u * n + col.z], w[r + 2u * n + col.w]);
    let w3 = vec4<f32>(w[r + 3u * n + col.x], w[r + 3u * n + col.y], w[r + 3u * n + col.z], w[r + 3u * n + col.w]);
    for (var i = 0u; i < ROWS; i++) {
      let at = rowBase[i] + 4u * kk;
      acc[i] += x[at] * w0 + x[at + 1u] * w1 + x[at + 2u] * w2 + x[at + 3u] * w3;
    }
  }
  for (var kk = 4u * k4; kk < kDim; kk++) {
    let r = b.w0 + kk * n;
    let wv = vec4<f32>(w[r + col.x], w[r + col.y], w[r + col.z], w[r + col.w]);
    for (var i = 0u; i < ROWS; i++) {
      acc[i] += x[rowBase[i] + kk] * wv;
    }
  }
  var bv = vec4<f32>(0.0);
  if (params.hasBias == 1u) {
    bv = vec4<f32>(bias[col.x], bias[col.y], bias[col.z], bias[col.w]);
  }
  for (var i = 0u; i < b.rows; i++) {
    let out = activate(acc[i] + bv);
    for (var q = 0u; q < 4u; q++) {
      if (4u * b.c + q < n) {
        y[(b.r0 + i) * n + 4u * b.c + q] = out[q];
      }
    }
  }
}
