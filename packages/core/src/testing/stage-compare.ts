// Stage-by-stage comparison against golden tensors: max abs / rel error and the parity tolerance
// (max abs error ≤ 1e-4 × max |reference|, f32). Shared by the tests and `webglip parity`.
import * as tf from '@tensorflow/tfjs';
import type { SafetensorsFile } from '../weights/safetensors.ts';

export const REL_TOLERANCE = 1e-4;

export interface StageResult {
  stage: string;
  maxAbs: number;
  maxRel: number;
  tolerance: number;
  pass: boolean;
}

/** Compares equally sized arrays; maxRel is maxAbs / max|ref|. */
export function compareArrays(stage: string, got: ArrayLike<number>, ref: ArrayLike<number>, relTol = REL_TOLERANCE): StageResult {
  if (got.length !== ref.length) return { stage, maxAbs: Infinity, maxRel: Infinity, tolerance: 0, pass: false };
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  const tolerance = relTol * maxRef;
  return { stage, maxAbs, maxRel: maxRef > 0 ? maxAbs / maxRef : maxAbs, tolerance, pass: maxAbs <= tolerance };
}

/** A captured tensor as a tf tensor; `[1, C, H, W]` fixtures are returned NHWC `[1, H, W, C]`. */
export function fixtureTensor(file: SafetensorsFile, name: string, nchwToNhwc = false): tf.Tensor {
  const { data, shape } = file.get(name);
  const t = data instanceof Float32Array ? tf.tensor(data, shape) : tf.tensor(Int32Array.from(data), shape, 'int32');
  if (!nchwToNhwc) return t;
  const out = tf.transpose(t, [0, 2, 3, 1]);
  t.dispose();
  return out;
}

/** Compares a tensor with a captured one (NHWC tensors against NCHW fixtures when `nchw`). */
export async function compareWithFixture(stage: string, got: tf.Tensor, file: SafetensorsFile, name: string, nchw = false): Promise<StageResult> {
  const view = nchw ? tf.transpose(got, [0, 3, 1, 2]) : got;
  const gotData = await view.data();
  if (view !== got) view.dispose();
  const ref = file.get(name).data;
  // Text tensors are computed for the real tokens only: compare the leading rows.
  return compareArrays(stage, gotData, gotData.length < ref.length ? ref.subarray(0, gotData.length) : ref);
}
