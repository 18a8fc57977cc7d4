// Global switch between the fused WGSL kernels and their plain-tfjs references. On by default;
// turning it off runs every op as its reference composite, so the two paths compare in one run.
import * as tf from '@tensorflow/tfjs';

let fused = true;

/** Enables (true) or disables (false) the fused WGSL kernels on the `webgpu` backend. */
export function setFusedKernels(on: boolean): void {
  fused = on;
}

/** Whether ops should take their fused WGSL path when the active backend is `webgpu`. */
export function fusedKernelsEnabled(): boolean {
  return fused;
}

/**
 * True when an op should run its fused WGSL kernel on `inputs`: switch on, the `webgpu` backend
 * active, and no empty tensor (those take the reference).
 */
export function fusedPathActive(...inputs: (tf.Tensor | null)[]): boolean {
  return fused && tf.getBackend() === 'webgpu' && inputs.every((t) => t === null || t.size > 0);
}
