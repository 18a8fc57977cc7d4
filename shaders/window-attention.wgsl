// Swin window self-attention for all windows and heads in one dispatch (WindowAttention.forward in
// GLIP's swint.py, from the qkv projection to the input of proj):
//
//   q, k, v[w, h, i] = the three C-wide thirds of qkv[w, i], head h's d channels of each (C = heads·d)
//   S[w, h, i, j] = (scale · q[w, h, i]) · k[w, h, j] + bias[h, i, j] + mask[w, i, j]
//   out[w, i, h]  = Σ_j softmax_j(S[w, h, i, j]) · v[w, h, j]
//
// Layouts (f32, row-major, contiguous): qkv [nW, M, 3·C] (the qkv Linear's output; M = window
// tokens, 49 for 7×7 windows), out [nW, M, C] (heads side by side, as proj reads them); d a
// multiple of 4, at most MAX_D: q, k, v and out are read and written as vec4. bias [heads, M, M]
// (relative position bias), mask [nW, M, M] (0 or −100 for shifted windows; not read when
// params.hasMask is 0). Reading and writing these layouts directly saves the transposes in and out
// of [nW, heads, M, d] and the separate scaling of q.
//
// One invocation per query token (w, h, i), numbered  (w · heads + h) · M + i, WG per workgroup,
// the workgroups laid over a 2-D grid (workgroup = wg.y · numWorkgroups.x + wg.x); invocations past
// the last token return at once. It keeps its q row and output row in registers and walks the
// window's M keys once with a running softmax: the running maximum mx, the sum of exp(S − mx) and
// the weighted sum of values, both rescaled by exp(mx_old − mx_new) when the maximum grows. No
// workgroup memory and no barriers; the invocations of one (window, head) read the same k and v
// rows at the same time. (A workgroup per (window, head) holding the M × M scores in workgroup
// memory, the previous form, ran 2.5× slower on SwiftShader.)

// Largest head dimension (sizes the per-invocation q and output rows); Swin-T's is 32.
const MAX_D: u32 = 32u;
const MAX_D4: u32 = MAX_D / 4u;
// Invocations per workgroup.
override WG: u32 = 64u;

// Stands for −∞ (WGSL has no infinity literal).
const LOWEST: f32 = -3.0e38;

struct Params {
  windows: u32,
  heads: u32,
  m: u32,       // tokens per window
  d: u32,       // head dimension
  hasMask: u32, // 1: add the shifted-window mask
  scale: f32,   // multiplies q (head_dim^−½)
}

@group(0) @binding(0) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let M = params.m;
  let D4 = params.d / 4u;
  let C4 = params.heads * D4; // C / 4
  let token = (wg.y * grid.x + wg.x) * WG + lid;
  if (token >= params.windows * params.heads * M) {
    return;
  }
  let pair = token / M; // w · heads + h
  let i = token % M;
  let w = pair / params.heads;
  let h = pair % params.heads;
  let window = w * M * 3u * C4; // start of window w in qkv, in vec4
  let kBase = window + C4 + h * D4; // k of token j: kBase + j · 3·C4; v: C4 further
  let vBase = kBase + C4;

  var qi: array<vec4<f32>, MAX_D4>;
  var acc: array<vec4<f32>, MAX_D4>;
  for (var c = 0u; c < D4; c++) {
    qi[c] = qkv[window + i * 3u * C4 + h * D4 + c] * params.scale;
    acc[c] = vec4<f32>(0.0);
  }
  var mx = LOWEST;
  var sum = 0.0;
  for (var j = 0u; j < M; j++) {
    var s = bias[(h * M + i) * M + j];
    if (params.hasMask == 1u) {
      s += mask[(w * M + i) * M + j];
    }
    for (var c = 0u; c < D4; c++) {
      s += dot(qi[c], qkv[kBase + j * 3u * C4 + c]);
    }
    if (s > mx) {
      let rescale = exp(mx - s);
      sum *= rescale;
      for (var c = 0u; c < D4; c++) {
        acc[c] *= rescale;
      }
      mx = s;
    }
    let p = exp(s - mx);
    sum += p;
    for (var c = 0u; c < D4; c++) {
      acc[c] += p * qkv[vBase + j * 3u * C4 + c];
    }
  }
  let outBase = (w * M + i) * C4 + h * D4;
  for (var c = 0u; c < D4; c++) {
    out[outBase + c] = acc[c] / sum;
  }
}
