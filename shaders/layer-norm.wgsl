// Layer normalisation over the last axis (torch.nn.LayerNorm semantics: biased variance).
//
//   y[r, c] = (x[r, c] − μ_r) · (σ²_r + eps)^(−1/2) · gamma[c] + beta[c]
//   μ_r  = (1/C) Σ_c x[r, c]
//   σ²_r = (1/C) Σ_c (x[r, c] − μ_r)²
//
// Layouts (f32, row-major, contiguous): x [R, C] (all leading axes flattened into R rows),
// gamma [C], beta [C], y [R, C].
//
// Two entry points; both read a row twice (mean, then the centred sum of squares) rather than
// accumulating Σx², which loses f32 precision when the mean is large compared with the spread.
//
// `main`, for wide rows: one workgroup per row. R can exceed the 65535 per-dimension limit, so the
// host lays the rows over a 2-D grid and a workgroup's row is  wg.y · numWorkgroups.x + wg.x
// (workgroups past the last row return at once). A workgroup of WG threads owns one row: thread t
// reads columns t, t + WG, t + 2·WG, …, and the per-thread partial sums are tree-reduced in
// workgroup memory.
//
// `rowPerInvocation`, for narrow rows (Swin's 96–384 channels over tens of thousands of tokens):
// each invocation normalises one whole row alone, WG rows per workgroup, no workgroup memory or
// barriers. Workgroup w of the 2-D grid (numbered as above) takes rows w·WG … w·WG + WG − 1.

// Threads per workgroup; a power of two.
override WG: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG>;

// Sum of `value` over the workgroup's threads; every thread gets the total.
fn workgroupSum(t: u32, value: f32) -> f32 {
  partial[t] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      partial[t] += partial[t + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let row = wg.y * grid.x + wg.x;
  if (row >= params.rows) {
    return;
  }
  let cols = params.cols;
  let base = row * cols;

  var sum = 0.0;
  for (var c = t; c < cols; c += WG) {
    sum += x[base + c];
  }
  let mean = workgroupSum(t, sum) / f32(cols);

  var squares = 0.0;
  for (var c = t; c < cols; c += WG) {
    let d = x[base + c] - mean;
    squares += d * d;
  }
  let invStd = inverseSqrt(workgroupSum(t, squares) / f32(cols) + params.eps);

  for (var c = t; c < cols; c += WG) {
    y[base + c] = (x[base + c] - mean) * invStd * gamma[c] + beta[c];
  }
}

@compute @workgroup_size(WG)
fn rowPerInvocation(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let row = (wg.y * grid.x + wg.x) * WG + t;
  if (row >= params.rows) {
    return;
  }
  let cols = params.cols;
  let base = row * cols;

  var sum = 0.0;
  for (var c = 0u; c < cols; c++) {
    sum += x[base + c];
  }
  let mean = sum / f32(cols);

  var squares = 0.0;
  for (var c = 0u; c < cols; c++) {
    let d = x[base + c] - mean;
    squares += d * d;
  }
  let invStd = inverseSqrt(squares / f32(cols) + params.eps);

  for (var c = 0u; c < cols; c++) {
    y[base + c] = (x[base + c] - mean) * invStd * gamma[c] + beta[c];
  }
}
