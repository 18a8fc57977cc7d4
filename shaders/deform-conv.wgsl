// Modulated deformable 3×3 convolution (DCNv2), padding 1, stride 1 or 2, as the official CUDA kernel
// computes it (modulated_deformable_im2col_gpu_kernel + dmcn_im2col_bilinear), with the bilinear
// sampling and the modulation fused into the GEMM: the sampled columns never reach global memory.
//
//   out[y, x, o] = bias[o] + Σ_{k, c} W[o, c, i, j] · mask[y, x, k] · bilinear(X[·, ·, c], py, px)
//   k = 3i + j,   py = y·s − 1 + i + offset[y, x, 2k],   px = x·s − 1 + j + offset[y, x, 2k + 1]
//
// A sample counts only if −1 < py < H and −1 < px < W; each of its four bilinear corners that lies
// outside the image contributes 0 (zero padding).
//
// Layouts (f32, row-major, contiguous): x [H, W, Cin]; offset [Hout, Wout, 18] (2k = Δy, 2k+1 = Δx);
// mask [Hout, Wout, 9] (already sigmoid); weight [Cout, Cin, 3, 3] (official layout); bias [Cout]
// (not read when HAS_BIAS is false); out [Hout, Wout, Cout]. P = Hout · Wout output pixels.
//
// Dispatch: ⌈P / TILE_P⌉ × ⌈Cout / TILE_C⌉ workgroups of 16 × 16 threads. A workgroup owns a tile of
// TILE_P = 64 output pixels × TILE_C = 64 output channels; thread (tx, ty) accumulates 4 × 4 of them in
// registers: pixels ty + 16a and channels tx + 16b (a, b < 4). The reduction over 9 taps × Cin runs
// tap by tap and, within a tap, CHUNK input channels at a time:
//   1. (once per tap) each of the tile's pixels gets its four corner indices and weights
//      (bilinear weight × mask, 0 for corners outside the image) in workgroup memory;
//   2. the tile's sampled columns [TILE_P, CHUNK] and weights [CHUNK, TILE_C] go to workgroup memory;
//   3. every thread adds its 4 × 4 outer products. Accumulation is f32.

// Whether bias is added.
override HAS_BIAS: bool = true;

const TILE_P: u32 = 64u;
const TILE_C: u32 = 64u;
const CHUNK: u32 = 16u;
const THREADS: u32 = 256u; // 16 × 16

struct Params {
  height: u32,
  width: u32,
  cin: u32,
  cout: u32,
  outHeight: u32,
  outWidth: u32,
  stride: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> offset: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// Per tile pixel and bilinear corner (top-left, top-right, bottom-left, bottom-right): the pixel
// index y·W + x in the input, and the weight (bilinear × mask, 0 when outside the image).
var<workgroup> cornerIndex: array<u32, TILE_P * 4u>;
var<workgroup> cornerWeight: array<f32, TILE_P * 4u>;
// Sampled columns [TILE_P, CHUNK] and weights [CHUNK, TILE_C] of the current chunk.
var<workgroup> columns: array<f32, TILE_P * CHUNK>;
var<workgroup> filterTile: array<f32, CHUNK * TILE_C>;

// Fills cornerIndex / cornerWeight for tap k of the tile's pixels p0 … p0 + TILE_P − 1.
fn sampleCorners(lid: u32, p0: u32, k: u32) {
  if (lid >= TILE_P) {
    return;
  }
  for (var q = 0u; q < 4u; q++) {
    cornerIndex[lid * 4u + q] = 0u;
    cornerWeight[lid * 4u + q] = 0.0;
  }
  let p = p0 + lid;
  if (p >= params.outHeight * params.outWidth) {
    return;
  }
  let H = f32(params.height);
  let W = f32(params.width);
  let py = f32((p / params.outWidth) * params.stride + k / 3u) - 1.0 + offset[p * 18u + 2u * k];
  let px = f32((p % params.outWidth) * params.stride + k % 3u) - 1.0 + offset[p * 18u + 2u * k + 1u];
  if (!(py > -1.0 && py < H && px > -1.0 && px < W)) {
    return;
  }
  let m = mask[p * 9u + k];
  let yLow = floor(py);
  let xLow = floor(px);
  let ly = py - yLow;
  let lx = px - xLow;
  let hy = 1.0 - ly;
  let hx = 1.0 - lx;
  var ys = array<f32, 4>(yLow, yLow, yLow + 1.0, yLow + 1.0);
  var xs = array<f32, 4>(xLow, xLow + 1.0, xLow, xLow + 1.0);
  var bilinear = array<f32, 4>(hy * hx, hy * lx, ly * hx, ly * lx);
  for (var q = 0u; q < 4u; q++) {
    let cy = ys[q];
    let cx = xs[q];
    if (cy >= 0.0 && cy <= H - 1.0 && cx >= 0.0 && cx <= W - 1.0) {
      cornerIndex[lid * 4u + q] = u32(cy) * params.width + u32(cx);
      cornerWeight[lid * 4u + q] = bilinear[q] * m;
    }
  }
}

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let p0 = wg.x * TILE_P;
  let o0 = wg.y * TILE_C;
  let cin = params.cin;
  var acc: array<f32, 16>;
  for (var a = 0u; a < 16u; a++) {
    acc[a] = 0.0;
  }

  for (var k = 0u; k < 9u; k++) {
    workgroupBarrier();
    sampleCorners(lid, p0, k);
    workgroupBarrier();
    for (var c0 = 0u; c0 < cin; c0 += CHUNK) {
      for (var e = lid; e < TILE_P * CHUNK; e += THREADS) {
        let r = e / CHUNK;
        let c = c0 + e % CHUNK;
        var v = 0.0;
        if (c < cin) {
          for (var q = 0u; q < 4u; q++) {
            v += cornerWeight[r * 4u + q] * x[cornerIndex[r * 4u + q] * cin + c];
          }
        }
        columns[e] = v;
      }
      for (var e = lid; e < CHUNK * TILE_C; e += THREADS) {
        let c = c0 + e / TILE_C;
        let o = o0 + e % TILE_C;
        var w = 0.0;
        if (c < cin && o < params.cout) {
          w = weight[(o * cin + c) * 9u + k];
        }
        filterTile[e] = w;
      }
      workgroupBarrier();
      for (var c = 0u; c < CHUNK; c++) {
        for (var a = 0u; a < 4u; a++) {
          let col = columns[(local.y + 16u * a) * CHUNK + c];
          for (var b = 0u; b < 4u; b++) {
            acc[a * 4u + b] += col * filterTile[c * TILE_C + local.x + 16u * b];
          }
        }
      }
      workgroupBarrier();
    }
  }

  for (var a = 0u; a < 4u; a++) {
    let p = p0 + local.y + 16u * a;
    if (p >= params.outHeight * params.outWidth) {
      continue;
    }
    for (var b = 0u; b < 4u; b++) {
      let o = o0 + local.x + 16u * b;
      if (o < params.cout) {
        var value = acc[a * 4u + b];
        if (HAS_BIAS) {
          value += bias[o];
        }
        out[p * params.cout + o] = value;
      }
    }
  }
}
