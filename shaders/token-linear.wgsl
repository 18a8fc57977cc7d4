// A Linear layer over many tokens with narrow weights (Swin's qkv, proj, MLP and patch merging,
// and every other image-side Linear), f32:
//
//   y[m, n] = bias[n] + Σ_k x[m, k] · W[k, n]          (bias only when params.hasBias is 1)
//
// Layouts (row-major, contiguous): x [M, K], W [K, N] (the `in,out` layout), bias [N], y [M, N].
// K and N are multiples of 4: x is read as vec4 along K, W, bias and y as vec4 along N.
//
// Each invocation computes a ROWS × 4 block of y (rows r0 … r0 + ROWS − 1, columns 4c … 4c + 3)
// in ROWS vec4 accumulators; per 4 steps of K it reads 4 vec4 of W and one vec4 of x per row,
// for 16·ROWS multiply-adds. No workgroup memory and no barriers: neighbouring invocations take
// neighbouring column blocks of the same rows, so their W reads are contiguous and their x reads
// the same. (On SwiftShader this ran 3–10× tfjs's 32 × 32-tiled matmul on glip-nano's Swin shapes
// and 3.9× at 512³; 16 rows beat 8 and 4 there.)
//
// Dispatch: blocks numbered column-block-fastest (block = rowBlock · N/4 + c), WG per workgroup,
// the workgroups laid over a 2-D grid (workgroup = wg.y · numWorkgroups.x + wg.x); invocations
// past the last block return at once. Rows past M read row r0 and are not stored.

override WG: u32 = 64u;
// Rows per invocation: a constant, as it sizes the accumulator array.
const ROWS: u32 = 16u;

struct Params {
  m: u32,
  k4: u32,      // K / 4
  n4: u32,      // N / 4
  blocks: u32,  // n4 · ceil(M / ROWS)
  hasBias: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let block = (wg.y * grid.x + wg.x) * WG + t;
  if (block >= params.blocks) {
    return;
  }
  let n4 = params.n4;
  let k4 = params.k4;
  let c = block % n4;
  let r0 = (block / n4) * ROWS;
  let rows = min(ROWS, params.m - r0);

  var rowBase: array<u32, ROWS>;
  var acc: array<vec4<f32>, ROWS>;
  for (var i = 0u; i < ROWS; i++) {
    rowBase[i] = select(r0, r0 + i, i < rows) * k4;
    acc[i] = vec4<f32>(0.0);
  }
  for (var kk = 0u; kk < k4; kk++) {
    let w0 = w[(4u * kk) * n4 + c];
    let w1 = w[(4u * kk + 1u) * n4 + c];
    let w2 = w[(4u * kk + 2u) * n4 + c];
    let w3 = w[(4u * kk + 3u) * n4 + c];
    for (var i = 0u; i < ROWS; i++) {
      let xv = x[rowBase[i] + kk];
      acc[i] += xv.x * w0 + xv.y * w1 + xv.z * w2 + xv.w * w3;
    }
  }
  var b = vec4<f32>(0.0);
  if (params.hasBias == 1u) {
    b = bias[c];
  }
  for (var i = 0u; i < rows; i++) {
    y[(r0 + i) * n4 + c] = acc[i] + b;
  }
}
