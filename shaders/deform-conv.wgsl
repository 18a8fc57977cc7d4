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
// Layouts (f32, row-major, contiguous): x [H, W, C4] (C4 = Cin rounded up to 4, zero channels past
// Cin; read as vec4); offset [Hout, Wout, 18] (2k = Δy, 2k+1 = Δx); mask [Hout, Wout, 9] (already
// sigmoid); tapFilter [9, C4, O8] = W transposed to tap-major and zero-padded (O8 = Cout rounded up to 8;
// read as vec4) or, when HALF_FILTER, its f16 pairs [9 · C4 / 2, O8] (`f16-pairs.wgsl`: word [p, o] =
// tapFilter[2p, o] | tapFilter[2p + 1, o] << 16 over the flattened 9 · C4 rows; unpacked to f32 with
// core WGSL's unpack2x16float, half the filter bytes); bias [Cout] (not read when HAS_BIAS is false);
// out [Hout, Wout, Cout].
// P = Hout · Wout output pixels.
//
// Dispatch: ⌈P / TILE_P⌉ × ⌈O8 / TILE_C⌉ workgroups of 256 threads. A workgroup owns TILE_P output
// pixels × TILE_C output channels (TILE_P · TILE_C ≤ 8192, so one channel tile covers Cout ≤ 256 and
// the sampling is not repeated per channel tile); thread (pb, cb) accumulates 4 pixels × 8 channels
// in registers (pixels 4pb …, channels 8cb …). The reduction over 9 taps × C4 runs tap by tap and,
// within a tap, CHUNK input channels at a time:
//   1. (once per tap) each tile pixel's four corner indices and weights (bilinear weight × mask, 0 for
//      corners outside the image) go to workgroup memory;
//   2. the tile's sampled columns [TILE_P, CHUNK] (im2col, vec4 over channels) go to workgroup memory;
//   3. every thread adds, per 4 input channels, 4 pixels × 4 channels × 2 vec4 of filter (read from
//      global memory as vec4) to its 8 vec4 accumulators. Accumulation is f32.

// Whether bias is added.
override HAS_BIAS: bool = true;
// Whether the filter is held as f16 pairs (else f32; either is bound as u32 words).
override HALF_FILTER: bool = false;
// Output pixels and channels per workgroup (TILE_P a multiple of 4 and ≤ 128, TILE_C a multiple of 8,
// (TILE_P / 4) · (TILE_C / 8) ≤ 256) and input channels per chunk (a multiple of 4).
override TILE_P: u32 = 32u;
override TILE_C: u32 = 256u;
override CHUNK: u32 = 64u;

const THREADS: u32 = 256u;

struct Params {
  height: u32,
  width: u32,
  c4: u32,       // input channels rounded up to 4
  cout: u32,
  o8: u32,       // output channels rounded up to 8
  outHeight: u32,
  outWidth: u32,
  stride: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> offset: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> tapFilter: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// Per tile pixel and bilinear corner (top-left, top-right, bottom-left, bottom-right): the pixel
// index y·W + x in the input, and the weight (bilinear × mask, 0 when outside the image).
var<workgroup> cornerIndex: array<u32, TILE_P * 4u>;
var<workgroup> cornerWeight: array<f32, TILE_P * 4u>;
// Sampled columns [TILE_P, CHUNK] of the current chunk, vec4 over channels.
var<workgroup> columns: array<vec4<f32>, TILE_P * CHUNK / 4u>;

// Fills cornerIndex / cornerWeight for tap k of tile pixel r (output pixel p0 + r).
fn sampleCorners(r: u32, p0: u32, k: u32) {
  for (var q = 0u; q < 4u; q++) {
    cornerIndex[r * 4u + q] = 0u;
    cornerWeight[r * 4u + q] = 0.0;
  }
  let p = p0 + r;
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
      cornerIndex[r * 4u + q] = u32(cy) * params.width + u32(cx);
      cornerWeight[r * 4u + q] = bilinear[q] * m;
    }
  }
}

// Four words of f16 pairs → the four low halves and the four high halves, as f32.
fn unpackPairs(v: vec4<u32>) -> array<vec4<f32>, 2> {
  let a = unpack2x16float(v.x);
  let b = unpack2x16float(v.y);
  let c = unpack2x16float(v.z);
  let d = unpack2x16float(v.w);
  return array<vec4<f32>, 2>(vec4<f32>(a.x, b.x, c.x, d.x), vec4<f32>(a.y, b.y, c.y, d.y));
}

// The filter at tap k, input channels c … c + 3 (c a multiple of 4), output channels 8 · col4 / 2 … + 7
// (col4: the first vec4 column): two matrices whose columns are the input channels, rows 4 output
// channels each.
fn filterBlock(k: u32, c: u32, col4: u32) -> array<mat4x4<f32>, 2> {
  let oq = params.o8 / 4u;
  if (HALF_FILTER) {
    let r = ((k * params.c4 + c) / 2u) * oq + col4; // pair row (c, c + 1); the next row holds (c + 2, c + 3)
    let c01First = unpackPairs(tapFilter[r]);        // channels c, c + 1 at the first 4 outputs
    let c01Second = unpackPairs(tapFilter[r + 1u]);  // … at the second 4
    let c23First = unpackPairs(tapFilter[r + oq]);
    let c23Second = unpackPairs(tapFilter[r + oq + 1u]);
    return array<mat4x4<f32>, 2>(
      mat4x4<f32>(c01First[0], c01First[1], c23First[0], c23First[1]),
      mat4x4<f32>(c01Second[0], c01Second[1], c23Second[0], c23Second[1]),
    );
  }
  let f = (k * params.c4 + c) * oq + col4;
  return array<mat4x4<f32>, 2>(
    mat4x4<f32>(bitcast<vec4<f32>>(tapFilter[f]), bitcast<vec4<f32>>(tapFilter[f + oq]), bitcast<vec4<f32>>(tapFilter[f + 2u * oq]), bitcast<vec4<f32>>(tapFilter[f + 3u * oq])),
    mat4x4<f32>(bitcast<vec4<f32>>(tapFilter[f + 1u]), bitcast<vec4<f32>>(tapFilter[f + oq + 1u]), bitcast<vec4<f32>>(tapFilter[f + 2u * oq + 1u]), bitcast<vec4<f32>>(tapFilter[f + 3u * oq + 1u])),
  );
}

@compute @workgroup_size(THREADS)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let p0 = wg.x * TILE_P;
  let o0 = wg.y * TILE_C;
  let cq4 = params.c4 / 4u;  // vec4s per input pixel
  let chunkQ = CHUNK / 4u;
  // This thread's block; threads past the tile (or past O8) only help with sampling.
  let blocksC = TILE_C / 8u;
  let pb = lid / blocksC;
  let cb = lid % blocksC;
  let oBlock = o0 + 8u * cb;
  let computes = pb < TILE_P / 4u && oBlock < params.o8;
  let filterCol = oBlock / 4u;

  var a00 = vec4<f32>(0.0);
  var a01 = vec4<f32>(0.0);
  var a10 = vec4<f32>(0.0);
  var a11 = vec4<f32>(0.0);
  var a20 = vec4<f32>(0.0);
  var a21 = vec4<f32>(0.0);
  var a30 = vec4<f32>(0.0);
  var a31 = vec4<f32>(0.0);

  for (var k = 0u; k < 9u; k++) {
    for (var r = lid; r < TILE_P; r += THREADS) {
      sampleCorners(r, p0, k);
    }
    workgroupBarrier();
    for (var c0 = 0u; c0 < cq4; c0 += chunkQ) {
      let chunkLen = min(chunkQ, cq4 - c0);
      // 2. im2col of the chunk: columns[r, cq] = Σ_corners weight · x[corner, c0 + cq].
      for (var e = lid; e < TILE_P * chunkQ; e += THREADS) {
        let r = e / chunkQ;
        let cq = e % chunkQ;
        var v = vec4<f32>(0.0);
        if (cq < chunkLen) {
          for (var q = 0u; q < 4u; q++) {
            v += cornerWeight[r * 4u + q] * x[cornerIndex[r * 4u + q] * cq4 + c0 + cq];
          }
        }
        columns[e] = v;
      }
      workgroupBarrier();
      // 3. register-tiled GEMM over the chunk's channels.
      if (computes) {
        for (var cq = 0u; cq < chunkLen; cq++) {
          let s0 = columns[(4u * pb) * chunkQ + cq];
          let s1 = columns[(4u * pb + 1u) * chunkQ + cq];
          let s2 = columns[(4u * pb + 2u) * chunkQ + cq];
          let s3 = columns[(4u * pb + 3u) * chunkQ + cq];
          // Columns: the filter vec4s (8 output channels as two halves) of the 4 input channels.
          let wb = filterBlock(k, 4u * (c0 + cq), filterCol);
          let w0 = wb[0];
          let w1 = wb[1];
          a00 += w0 * s0;
          a01 += w1 * s0;
          a10 += w0 * s1;
          a11 += w1 * s1;
          a20 += w0 * s2;
          a21 += w1 * s2;
          a30 += w0 * s3;
          a31 += w1 * s3;
        }
      }
      workgroupBarrier();
    }
  }

  if (!computes) {
    return;
  }
  var acc = array<vec4<f32>, 8>(a00, a01, a10, a11, a20, a21, a30, a31);
  let pixels = params.outHeight * params.outWidth;
  for (var i = 0u; i < 4u; i++) {
    let p = p0 + 4u * pb + i;
    if (p >= pixels) {
      continue;
    }
    for (var o = 0u; o < 8u; o++) {
      let channel = oBlock + o;
      if (channel < params.cout) {
        var value = acc[2u * i + o / 4u][o % 4u];
        if (HAS_BIAS) {
          value += bias[channel];
        }
        out[p * params.cout + channel] = value;
      }
    }
  }
}
