// A Linear layer whose weight is held as f16 pairs (see f16-pairs.wgsl), accumulating in f32:
//
//   y[m, n] = bias[n] + Σ_k x[m, k] · W[n, k]
//
// Layouts (row-major, contiguous): x [M, K] f32, pairs [K/2, N] u32 (f16 halves of W[n, 2p] and
// W[n, 2p + 1]), bias [N] f32, y [M, N] f32. K is even.
//
// Shaped for text tokens: few rows (M ≤ 256), wide weights (K, N up to 3072), where the weight is
// the traffic. A workgroup computes a ROWS × 2·WG tile of y: each invocation two columns, WG apart
// (so each load of the workgroup is contiguous), with ROWS × 2 accumulators, so every staged x
// value and every unpacked weight pair feeds several products. Per step it stages x's ROWS × 2·CHUNK
// block in workgroup memory (every invocation loads ROWS·CHUNK / WG of its pairs), then each
// invocation walks CHUNK words of its two weight columns. Rows past M stage zeros; columns past N
// are not read or stored. (On SwiftShader, 8 rows and 2 columns ran 1.7× tfjs's f32 matmul at
// BERT-base widths; 4 rows × 1 column, 0.8×.)
//
// Dispatch: one workgroup per tile, tiles numbered column-tile-fastest and laid over a 2-D grid
// (tile = wg.y · numWorkgroups.x + wg.x); workgroups past the last tile return at once.

override WG: u32 = 64u;
// Rows per tile: a constant, as it sizes each invocation's accumulator array.
const ROWS: u32 = 8u;
// Words of K per step.
override CHUNK: u32 = 64u;

struct Params {
  m: u32,
  n: u32,
  pairs: u32,     // K / 2
  colTiles: u32,  // ceil(N / (2·WG))
  tiles: u32,     // colTiles · ceil(M / ROWS)
}

@group(0) @binding(0) var<storage, read> x: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> xs: array<vec2<f32>, ROWS * CHUNK>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let tile = wg.y * grid.x + wg.x;
  if (tile >= params.tiles) {
    return;
  }
  let row0 = (tile / params.colTiles) * ROWS;
  // This invocation's two columns, WG apart, so that each load of the workgroup is contiguous.
  let col = (tile % params.colTiles) * 2u * WG + t;
  let live = vec2<bool>(col < params.n, col + WG < params.n);
  var acc: array<vec2<f32>, ROWS>;
  for (var p0 = 0u; p0 < params.pairs; p0 += CHUNK) {
    for (var s = t; s < ROWS * CHUNK; s += WG) {
      let r = row0 + s / CHUNK;
      let p = p0 + s % CHUNK;
      var v = vec2<f32>(0.0);
      if (r < params.m && p < params.pairs) {
        v = x[r * params.pairs + p];
      }
      xs[s] = v;
    }
    workgroupBarrier();
    if (live.x) {
      let steps = min(CHUNK, params.pairs - p0);
      for (var p = 0u; p < steps; p++) {
        let word = (p0 + p) * params.n + col;
        let w0 = unpack2x16float(pairs[word]);
        var w1 = vec2<f32>(0.0);
        if (live.y) {
          w1 = unpack2x16float(pairs[word + WG]);
        }
        for (var r = 0u; r < ROWS; r++) {
          let xv = xs[r * CHUNK + p];
          acc[r] += vec2<f32>(dot(xv, w0), dot(xv, w1));
        }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < ROWS; r++) {
    if (row0 + r < params.m) {
      let base = (row0 + r) * params.n + col;
      if (live.x) {
        y[base] = acc[r].x + bias[col];
      }
      if (live.y) {
        y[base + WG] = acc[r].y + bias[col + WG];
      }
    }
  }
}
