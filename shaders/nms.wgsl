// Class-aware greedy non-maximum suppression as GLIP's ml_nms CUDA kernel, on candidates already
// sorted by descending score:
//
//   for i in order: if i is alive, keep it and drop every later j of the same label with IoU(i, j) > threshold
//   IoU with the "+1" area convention (w = x2 − x1 + 1), in f32 as ml_nms computes it.
//
// Layouts: boxes [K] vec4 (x1, y1, x2, y2), labels [K] f32 (whole numbers), keys [K] f32 (the candidates' ranking keys,
// sorted descending; −1 marks a row that is not a candidate, and those come last), keep [K] f32
// (out: 1 kept, 0 not).
//
// Dispatch: one workgroup. keep starts as "is a candidate"; then for each i in order (uniform for the
// workgroup: the loop ends at the first non-candidate, read through workgroupUniformLoad) the WG
// invocations split the later rows j = i + 1 + t, i + 1 + t + WG, … and clear keep[j] where i
// suppresses j; a storage barrier separates the steps, so step i sees every earlier suppression.

// Invocations in the workgroup; a power of two. (64: on SwiftShader each barrier costs in
// proportion to the workgroup's size.)
override WG: u32 = 64u;

struct Params {
  count: u32,
  threshold: f32,
}

@group(0) @binding(0) var<storage, read> boxes: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read> keys: array<f32>;
@group(0) @binding(3) var<storage, read_write> keep: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> currentKey: f32;

fn iouPlusOne(a: vec4<f32>, b: vec4<f32>) -> f32 {
  let left = max(a.x, b.x);
  let top = max(a.y, b.y);
  let right = min(a.z, b.z);
  let bottom = min(a.w, b.w);
  let inter = max(right - left + 1.0, 0.0) * max(bottom - top + 1.0, 0.0);
  let areaA = (a.z - a.x + 1.0) * (a.w - a.y + 1.0);
  let areaB = (b.z - b.x + 1.0) * (b.w - b.y + 1.0);
  return inter / (areaA + areaB - inter);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  let count = params.count;
  for (var j = t; j < count; j += WG) {
    keep[j] = select(0.0, 1.0, keys[j] > -1.0);
  }
  storageBarrier();
  for (var i = 0u; i < count; i++) {
    if (t == 0u) {
      currentKey = keys[i];
    }
    if (workgroupUniformLoad(&currentKey) <= -1.0) {
      break; // sorted: no candidates from here on
    }
    if (keep[i] > 0.5) {
      let box = boxes[i];
      let label = labels[i];
      for (var j = i + 1u + t; j < count; j += WG) {
        if (keep[j] > 0.5 && labels[j] == label && iouPlusOne(box, boxes[j]) > params.threshold) {
          keep[j] = 0.0;
        }
      }
    }
    storageBarrier();
  }
}
