// Group normalisation of one NHWC map with its per-channel affine (nn.GroupNorm: biased variance
// over each group's C/G channels at every pixel):
//
//   y[p, c] = (x[p, c] − μ_g) · (σ²_g + eps)^(−1/2) · gamma[c] + beta[c],     g = c / (C/G)
//   μ_g  = mean of x[p, c] over all pixels p and the channels c of group g
//   σ²_g = mean of (x[p, c] − μ_g)² over the same
//
// Layouts (f32, row-major, contiguous): x, y [P, C] (P = H·W pixels), gamma, beta [C].
//
// Dispatch: one workgroup per group (G workgroups). Its WG threads walk the group's P · C/G
// elements e = t, t + WG, … (pixel e / (C/G), channel g · C/G + e % (C/G)); the per-thread partial
// sums are tree-reduced in workgroup memory. The group is read three times: the mean, then the
// centred sum of squares (accumulating Σx² instead loses f32 precision when the mean is large next
// to the spread), then the normalised output.

// Threads per workgroup; a power of two. (256 ran ~5× slower than 64 on SwiftShader, where a
// workgroup's barriers dominate at DyHead's small levels.)
override WG: u32 = 64u;

struct Params {
  pixels: u32,
  channels: u32,
  groupChannels: u32, // C / G
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
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let cg = params.groupChannels;
  let first = wg.x * cg; // the group's first channel
  let count = params.pixels * cg;

  var sum = 0.0;
  for (var e = t; e < count; e += WG) {
    sum += x[(e / cg) * params.channels + first + e % cg];
  }
  let mean = workgroupSum(t, sum) / f32(count);

  var squares = 0.0;
  for (var e = t; e < count; e += WG) {
    let d = x[(e / cg) * params.channels + first + e % cg] - mean;
    squares += d * d;
  }
  let invStd = inverseSqrt(workgroupSum(t, squares) / f32(count) + params.eps);

  for (var e = t; e < count; e += WG) {
    let c = first + e % cg;
    let i = (e / cg) * params.channels + c;
    y[i] = (x[i] - mean) * invStd * gamma[c] + beta[c];
  }
}
