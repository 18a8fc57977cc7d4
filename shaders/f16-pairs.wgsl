// The f16-pair weight format: a Linear weight W [N, K] (official `[out, in]` layout) held as
// u32 words, each two f16 halves of one output column, in the layout the f16-weight linear reads:
//
//   pairs[p, n] = f16(W[n, 2p])  |  f16(W[n, 2p + 1]) << 16        pairs [K/2, N], K even
//
// so consecutive invocations of `linear-f16.wgsl` (consecutive n) read consecutive words. Half
// the bytes of f32; exact for weights that were f16 on disk. `pack2x16float` / `unpack2x16float`
// are core WGSL: no `shader-f16` needed, the arithmetic stays f32.
//
// Entry points (one invocation per word, the host lays the K/2 · N words over a 2-D grid):
//   pack:   src = W [N, K] as f32 bits  →  dst = pairs [K/2, N]
//   unpack: src = pairs [K/2, N]        →  dst = W as [K, N] f32 bits (the `[in, out]` layout
//           tfjs's matmul reads: the plain path on weights held as pairs)

override WG: u32 = 64u;

struct Params {
  n: u32,      // output columns N
  pairs: u32,  // K / 2
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

// Index of this invocation's word in the 2-D grid of 1-D workgroups.
fn wordIndex(wg: vec3<u32>, grid: vec3<u32>, t: u32) -> u32 {
  return (wg.y * grid.x + wg.x) * WG + t;
}

@compute @workgroup_size(WG)
fn pack(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let i = wordIndex(wg, grid, t);
  if (i >= params.pairs * params.n) {
    return;
  }
  let p = i / params.n;
  let col = i % params.n;
  let k = col * 2u * params.pairs + 2u * p;
  dst[i] = pack2x16float(vec2<f32>(bitcast<f32>(src[k]), bitcast<f32>(src[k + 1u])));
}

@compute @workgroup_size(WG)
fn unpack(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let i = wordIndex(wg, grid, t);
  if (i >= params.pairs * params.n) {
    return;
  }
  let p = i / params.n;
  let col = i % params.n;
  let w = unpack2x16float(src[i]);
  dst[2u * p * params.n + col] = bitcast<u32>(w.x);
  dst[(2u * p + 1u) * params.n + col] = bitcast<u32>(w.y);
}
