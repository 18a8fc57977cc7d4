// A Linear layer whose weight is held as f16 pairs (see f16-pairs.wgsl), accumulating in f32:
//
//   y[m, n] = bias[n] + Σ_k x[m, k] · W[n, k]
//
// Layouts (row-major, contiguous): x [M, K] f32, pairs [K/2, N] u32 (f16 halves of W[n, 2p] and
// W[n, 2p + 1]), bias [N] f32, y [M, N] f32. K is even.
//
// Shaped for text tokens: few rows (M ≤ 256), wide weights (K, N up to 3072), where the weight is
// the traffic. A workgroup computes a ROWS × WG tile of y, one column per invocation and ROWS
// accumulators each. Per step it stages x's ROWS × 2·CHUNK block in workgroup memory (every
// invocation loads ROWS·CHUNK / WG of its pairs), then each invocation walks CHUNK words of its
// weight column: consecutive invocations read consecutive words. Rows past M stage zeros; columns
// past N compute but do not store.
//
// Dispatch: one workgroup per tile, tiles numbered column-tile-fastest and laid over a 2-D grid
// (tile = wg.y · numWorkgroups.x + wg.x); workgroups past the last tile return at once.

override WG: u32 = 64u;
// Rows per tile: a constant, as it sizes each invocation's accumulator array.
const ROWS: u32 = 4u;
// Words of K per step.
override CHUNK: u32 = 64u;

struct Params {
  m: u32,
  n: u32,
  pairs: u32,     // K / 2
  colTiles: u32,  // ceil(N / WG)
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
  let col = (tile % params.colTiles) * WG + t;
  let live = col < params.n;
  var acc: array<f32, ROWS>;
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
    if (live) {
      let steps = min(CHUNK, params.pairs - p0);
      for (var p = 0u; p < steps; p++) {
        let w = unpack2x16float(pairs[(p0 + p) * params.n + col]);
        for (var r = 0u; r < ROWS; r++) {
          acc[r] += dot(xs[r * CHUNK + p], w);
        }
      }
    }
    workgroupBarrier();
  }
  if (!live) {
    return;
  }
  for (var r = 0u; r < ROWS; r++) {
    if (row0 + r < params.m) {
      y[(row0 + r) * params.n + col] = acc[r] + bias[col];
    }
  }
}
