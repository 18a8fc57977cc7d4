// Backends every numerical test runs on: tfjs `cpu` and `webgpu` (Dawn in Node; SwiftShader without a GPU);
// the parity tests of a whole encoder add `wasm` (XNNPACK, what 'auto' runs on a software adapter).
import '../runtime/node-gpu.ts';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { createBackend } from '../runtime/device.ts';

export const TEST_BACKENDS = ['cpu', 'webgpu'] as const;
export const PARITY_BACKENDS = [...TEST_BACKENDS, 'wasm'] as const;
export type TestBackend = (typeof PARITY_BACKENDS)[number];

/** Switches tfjs to `name` and fails loudly if it did not take. */
export async function useBackend(name: TestBackend): Promise<void> {
  if (name === 'wasm') {
    const selection = await createBackend('wasm');
    if (selection.kind !== 'wasm') throw new Error(`tfjs backend "wasm" could not be initialised: ${selection.fallbackReasons.join('; ')}`);
    return;
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend "${name}" could not be initialised`);
}

/** Max |a-b| and max |b| over two equally sized arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; maxRef: number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return { maxAbs, maxRef };
}
