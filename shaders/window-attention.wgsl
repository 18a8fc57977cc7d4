// Swin window self-attention for all windows and heads in one dispatch (WindowAttention.forward in
// GLIP's swint.py, after the qkv projection):
//
//   S[w, h, i, j] = q[w, h, i] · k[w, h, j] + bias[h, i, j] + mask[w, i, j]
//   out[w, h, i]  = Σ_j softmax_j(S[w, h, i, j]) · v[w, h, j]
//
// Layouts (f32, row-major, contiguous): q, k, v, out [nW, heads, M, D] (q already scaled by
// D^−½; M = window tokens, 49 for 7×7 windows; M ≤ MAX_M), bias [heads, M, M] (relative position
// bias), mask [nW, M, M] (0 or −100 for shifted windows; not read when params.hasMask is 0).
//
// Dispatch: one workgroup per (window, head): nW · heads workgroups, laid over x and y when above
// the 65535 per-dimension limit (linear id = wg.y · numWorkgroups.x + wg.x = w · heads + h).
// The workgroup owns the M × M scores of its window and head in workgroup memory: its WG threads
// compute them (pairs (i, j) strided by WG), then each thread normalises rows lid, lid + WG, …,
// then the threads produce out elements (i, c) strided by WG, accumulating in f32.

// Most tokens per window (sizes the scores in workgroup memory); M and D themselves are uniforms,
// so every window size up to MAX_M shares one pipeline.
override MAX_M: u32 = 49u;
// Threads per workgroup.
override WG: u32 = 64u;

// Stands for −∞ (WGSL has no infinity literal).
const LOWEST: f32 = -3.0e38;

struct Params {
  windows: u32,
  heads: u32,
  m: u32,       // tokens per window
  d: u32,       // head dimension
  hasMask: u32, // 1: add the shifted-window mask
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// Scores, then softmax weights, of the workgroup's (window, head): [M, M] of [MAX_M, MAX_M].
var<workgroup> weights: array<f32, MAX_M * MAX_M>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = wg.y * grid.x + wg.x;
  if (id >= params.windows * params.heads) {
    return;
  }
  let w = id / params.heads;
  let h = id % params.heads;
  let M = params.m;
  let D = params.d;
  let base = id * M * D; // start of (w, h) in q, k, v and out

  for (var p = lid; p < M * M; p += WG) {
    let i = p / M;
    let j = p % M;
    var s = 0.0;
    for (var c = 0u; c < D; c++) {
      s += q[base + i * D + c] * k[base + j * D + c];
    }
    s += bias[h * M * M + p];
    if (params.hasMask == 1u) {
      s += mask[w * M * M + p];
    }
    weights[p] = s;
  }
  workgroupBarrier();

  for (var i = lid; i < M; i += WG) {
    let row = i * M;
    var m = LOWEST;
    for (var j = 0u; j < M; j++) {
      m = max(m, weights[row + j]);
    }
    var sum = 0.0;
    for (var j = 0u; j < M; j++) {
      let e = exp(weights[row + j] - m);
      weights[row + j] = e;
      sum += e;
    }
    for (var j = 0u; j < M; j++) {
      weights[row + j] = weights[row + j] / sum;
    }
  }
  workgroupBarrier();

  for (var e = lid; e < M * D; e += WG) {
    let i = e / D;
    let c = e % D;
    var acc = 0.0;
    for (var j = 0u; j < M; j++) {
      acc += weights[i * M + j] * v[base + j * D + c];
    }
    out[base + e] = acc;
  }
}
