// Rows of an embedding table held as f16 pairs (nn.Embedding's lookup, BERT's word embeddings):
//
//   out[t, 2p + i] = E[ids[t], 2p + i]         i = 0, 1;  0 for an id outside [0, V)
//
// Layouts: the table E [V, D] (official layout) as f16 pairs [D/2, V] (`f16-pairs.wgsl`, E taken
// as a Linear weight [N = V, K = D]: word [p, v] = E[v, 2p] | E[v, 2p + 1] << 16); ids [T] i32;
// out [T, D] f32, written as vec2. unpack2x16float is core WGSL: no `shader-f16` needed.
//
// Dispatch: one invocation per output pair (t, p), T · D/2 of them, numbered p-fastest; the
// workgroups are laid over a 2-D grid (invocation = (wg.y · numWorkgroups.x + wg.x) · WG + t).

override WG: u32 = 64u;

struct Params {
  vocab: u32,  // V
  pairs: u32,  // D / 2
  tokens: u32, // T
}

@group(0) @binding(0) var<storage, read> table: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let i = (wg.y * grid.x + wg.x) * WG + t;
  if (i >= params.tokens * params.pairs) {
    return;
  }
  let token = i / params.pairs;
  let p = i % params.pairs;
  let id = ids[token];
  if (id < 0 || u32(id) >= params.vocab) {
    out[i] = vec2<f32>(0.0);
    return;
  }
  out[i] = unpack2x16float(table[p * params.vocab + u32(id)]);
}
