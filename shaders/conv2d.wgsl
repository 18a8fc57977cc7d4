// Direct 2-D convolution with bias, zero padding, one image (nn.Conv2d on an NHWC map: the FPN, the
// DyHead offset convs, the heads' 1×1 convs), f32:
//
//   y[oy, ox, n] = bias[n] + Σ_{ky, kx, ci} x[oy·S − P + ky, ox·S − P + kx, ci] · W[ky, kx, ci, n]
//
// (x outside the map reads as 0). Layouts (row-major, contiguous): x [H, W, Cin] with Cin a multiple
// of 4 (read as vec4 along Cin), W [KH, KW, Cin, Cout] (the `kh,kw,cin,cout` layout), bias [Cout],
// y [Ho, Wo, Cout]. Cout is any width.
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
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
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
        let r = (tap + 4u * ci) * cout;
        let w0 = vec4<f32>(weight[r + col.x], weight[r + col.y], weight[r + col.z], weight[r + col.w]);
        let w1 = vec4<f32>(weight[r + cout + col.x], weight[r + cout + col.y], weight[r + cout + col.z], weight[r + cout + col.w]);
        let r2 = r + 2u * cout;
        let w2 = vec4<f32>(weight[r2 + col.x], weight[r2 + col.y], weight[r2 + col.z], weight[r2 + col.w]);
        let r3 = r + 3u * cout;
        let w3 = vec4<f32>(weight[r3 + col.x], weight[r3 + col.y], weight[r3 + col.z], weight[r3 + col.w]);
        for (var p = 0u; p < PIX; p++) {
          if (xBase[p] >= 0) {
            let xv = x[u32(xBase[p]) + ci];
            acc[p] += xv.x * w0 + xv.y * w1 + xv.z * w2 + xv.w * w3;
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
