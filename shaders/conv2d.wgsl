// Direct 2-D convolution with bias, zero padding, one image (nn.Conv2d on an NHWC map: the FPN, the
// DyHead offset convs, the heads' 1×1 convs), f32:
//
//   y[oy, ox, n] = bias[n] + Σ_{ky, kx, ci} x[oy·S − P + ky, ox·S − P + kx, ci] · W[ky, kx, ci, n]
//
// (x outside the map reads as 0). Layouts (row-major, contiguous): x [H, W, Cin] with Cin a multiple
// of 4 (read as vec4 along Cin), W [KH, KW, Cin, Cout] (the `kh,kw,cin,cout` layout), bias [Cout],
// y [Ho, Wo, Cout]. Cout is any width. When HALF_WEIGHT, W is held as f16 pairs over its
// KH · KW · Cin rows (`f16-pairs.wgsl`: word [p, n] = W[2p, n] | W[2p + 1, n] << 16, rows flattened
// as (ky · KW + kx) · Cin + ci), unpacked to f32 with core WGSL's unpack2x16float: half the bytes.
//
// Each invocation computes PIX × 4 outputs: PIX neighbouring pixels of one output row and 4
// neighbouring output channels, in PIX vec4 accumulators; per 4 input channels of a filter tap it
// reads 16 weights (shared by its PIX pixels) and one vec4 of x per pixel, for 16·PIX multiply-adds.
// No workgroup memory: neighbouring invocations take neighbouring channel blocks of the same
// pixels. Channels past Cout read weight column 0 and are not stored. (On SwiftShader this ran 2.3–9×
// tfjs's conv2d on glip-nano's FPN and DyHead shapes; weights are read as scalars so that any
// Cout, such as the offset convs' 27, takes the kernel.)
//
// Dispatch: blocks numbered channel-block-fastest (block = (oy · pixelBlocks + pb) · n4 + c), WG
// per workgroup, the workgroups laid over a 2-D grid (workgroup = wg.y · numWorkgroups.x + wg.x);
// invocations past the last block return at once.

override WG: u32 = 64u;
// Whether W is held as f16 pairs (else f32; either is bound as u32 words).
override HALF_WEIGHT: bool = false;
// Output pixels per invocation: a constant, as it sizes the accumulator array.
const PIX: u32 = 16u;

struct Params {
  h: u32,
  w: u32,
  cin4: u32,        // Cin / 4
  cout: u32,
  kh: u32,
  kw: u32,
  stride: u32,
  pad: u32,
  ho: u32,
  wo: u32,
  n4: u32,          // ceil(Cout / 4)
  pixelBlocks: u32, // ceil(Wo / PIX)
  blocks: u32,      // ho · pixelBlocks · n4
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> weight: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// W's rows r … r + 3 (r a multiple of 4) at the columns col.
fn weightRows(r: u32, col: vec4<u32>) -> array<vec4<f32>, 4> {
  let cout = params.cout;
  if (HALF_WEIGHT) {
    let p = (r / 2u) * cout; // pair rows (r, r + 1) and (r + 2, r + 3)
    let a = array<vec2<f32>, 4>(unpack2x16float(weight[p + col.x]), unpack2x16float(weight[p + col.y]), unpack2x16float(weight[p + col.z]), unpack2x16float(weight[p + col.w]));
    let q = p + cout;
    let b = array<vec2<f32>, 4>(unpack2x16float(weight[q + col.x]), unpack2x16float(weight[q + col.y]), unpack2x16float(weight[q + col.z]), unpack2x16float(weight[q + col.w]));
    return array<vec4<f32>, 4>(
      vec4<f32>(a[0].x, a[1].x, a[2].x, a[3].x),
      vec4<f32>(a[0].y, a[1].y, a[2].y, a[3].y),
      vec4<f32>(b[0].x, b[1].x, b[2].x, b[3].x),
      vec4<f32>(b[0].y, b[1].y, b[2].y, b[3].y),
    );
  }
  var rows: array<vec4<f32>, 4>;
  for (var i = 0u; i < 4u; i++) {
    let at = (r + i) * cout;
    rows[i] = bitcast<vec4<f32>>(vec4<u32>(weight[at + col.x], weight[at + col.y], weight[at + col.z], weight[at + col.w]));
  }
  return rows;
}

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
  let cout = params.cout;
  let cin4 = params.cin4;
  let c = block % params.n4;
  let rowBlock = block / params.n4;
  let oy = rowBlock / params.pixelBlocks;
  let ox0 = (rowBlock % params.pixelBlocks) * PIX;
  let pixels = min(PIX, params.wo - ox0);
  // The block's 4 output channels, clamped to column 0 past Cout.
  var col: vec4<u32>;
  for (var q = 0u; q < 4u; q++) {
    col[q] = select(0u, 4u * c + q, 4u * c + q < cout);
  }

  var acc: array<vec4<f32>, PIX>;
  for (var p = 0u; p < PIX; p++) {
    acc[p] = vec4<f32>(0.0);
  }
  for (var ky = 0u; ky < params.kh; ky++) {
    let iy = i32(oy * params.stride + ky) - i32(params.pad);
    if (iy < 0 || iy >= i32(params.h)) {
      continue;
    }
    for (var kx = 0u; kx < params.kw; kx++) {
      // Per pixel: the x index of its tap (vec4 units), or none outside the map.
      var xBase: array<i32, PIX>;
      for (var p = 0u; p < PIX; p++) {
        let ix = i32((ox0 + p) * params.stride + kx) - i32(params.pad);
        xBase[p] = select(-1, (iy * i32(params.w) + ix) * i32(cin4), ix >= 0 && ix < i32(params.w) && p < pixels);
      }
      let tap = (ky * params.kw + kx) * cin4 * 4u;
      for (var ci = 0u; ci < cin4; ci++) {
        let wr = weightRows(tap + 4u * ci, col);
        for (var p = 0u; p < PIX; p++) {
          if (xBase[p] >= 0) {
            let xv = x[u32(xBase[p]) + ci];
            acc[p] += xv.x * wr[0] + xv.y * wr[1] + xv.z * wr[2] + xv.w * wr[3];
          }
        }
      }
    }
  }
  let b = vec4<f32>(bias[col.x], bias[col.y], bias[col.z], bias[col.w]);
  for (var p = 0u; p < pixels; p++) {
    let out = acc[p] + b;
    let base = (oy * params.wo + ox0 + p) * cout;
    for (var q = 0u; q < 4u; q++) {
      if (4u * c + q < cout) {
        y[base + 4u * c + q] = out[q];
      }
    }
  }
}
