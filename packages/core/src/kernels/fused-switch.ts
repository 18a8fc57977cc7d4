// Global switch between the hand-written kernels (fused WGSL on webgpu, a few CPU-side loops on wasm /
// cpu) and their plain-tfjs references. On by default; turning it off runs every op as its reference
// composite, so the two paths compare in one run.
import * as tf from '@tensorflow/tfjs';
import { heldDtype } from '../runtime/tfjs-internals.ts';

let fused = true;

/** Enables (true) or disables (false) the hand-written kernels: fused WGSL on `webgpu`, the CPU-side loops on `wasm` / `cpu`. */
export function setFusedKernels(on: boolean): void {
  fused = on;
}

/** Whether ops should take their fused WGSL path when the active backend is `webgpu`. */
export function fusedKernelsEnabled(): boolean {
  return fused;
}

/**
 * True when an op should run its fused WGSL kernel on `inputs`: switch on, the `webgpu` backend
 * active, and no empty tensor and no tensor whose buffer holds another dtype (those take the reference).
 */
export function fusedPathActive(...inputs: (tf.Tensor | null)[]): boolean {
  return fused && tf.getBackend() === 'webgpu' && inputs.every((t) => t === null || (t.size > 0 && heldAsOwnDtype(t)));
}

/** True when an op with a hand-written CPU-side path (wasm, cpu) should take it: switch on, and one of those backends active. */
export function cpuKernelActive(): boolean {
  const backend = tf.getBackend();
  return fused && (backend === 'wasm' || backend === 'cpu');
}

/**
 * False for a float32 tensor cast from int32 or bool: tfjs-webgpu's cast to a wider type is a view
 * of the same buffer, which tfjs's own shaders read by the buffer's dtype, but a WGSL kernel
 * binding `array<f32>` would read the integer bits as floats (1 → 1.4e-45).
 */
function heldAsOwnDtype(t: tf.Tensor): boolean {
  const held = heldDtype(t);
  return held === null || held === t.dtype;
}
