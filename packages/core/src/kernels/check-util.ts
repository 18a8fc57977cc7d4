// Helpers shared by the fused-vs-reference checks: seeded random tensors and the comparison that
// every check reports. Browser-safe (no Node imports).
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsEnabled, setFusedKernels } from './fused-switch.ts';

/** One compared case: max |fused − reference| and the tolerance it must stay under. */
export interface CheckResult {
  case: string;
  maxAbs: number;
  tol: number;
}

/** A kernel's fused-vs-reference comparison; `run` needs the `webgpu` backend active. */
export interface KernelCheck {
  name: string;
  run(): Promise<CheckResult[]>;
}

/** Relative tolerance for f32 fused kernels: |fused − ref| ≤ 1e-4 · max|ref|. */
export const RELATIVE_TOLERANCE = 1e-4;

/** Deterministic uniform numbers in [0, 1) (mulberry32), so every run sees the same inputs. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float32 tensor of uniform values in [offset − scale, offset + scale). */
export function randomTensor(shape: number[], random: () => number, scale = 1, offset = 0): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => offset + scale * (2 * random() - 1)), shape, 'float32');
}

/** Compares `fused` with `reference` (disposing both); NaN anywhere counts as an infinite error. */
export async function compare(name: string, fused: tf.Tensor, reference: tf.Tensor): Promise<CheckResult> {
  if (fused.shape.join() !== reference.shape.join()) {
    throw new Error(`${name}: fused shape [${fused.shape}] differs from reference [${reference.shape}]`);
  }
  const [a, b] = await Promise.all([fused.data(), reference.data()]);
  fused.dispose();
  reference.dispose();
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return { case: name, maxAbs, tol: RELATIVE_TOLERANCE * maxRef };
}

/**
 * A check whose `cases` run with fused kernels switched on (restored afterwards). Throws unless the
 * `webgpu` backend is active: elsewhere fused and reference would be the same code.
 */
export function fusedCheck(name: string, cases: () => Promise<CheckResult[]>): KernelCheck {
  return {
    name,
    async run() {
      if (tf.getBackend() !== 'webgpu') throw new Error(`check ${name} compares fused kernels and needs the webgpu backend, not ${tf.getBackend()}`);
      const wasOn = fusedKernelsEnabled();
      setFusedKernels(true);
      try {
        return await cases();
      } finally {
        setFusedKernels(wasOn);
      }
    },
  };
}
