// Class-aware greedy NMS (GLIP's ml_nms) on the GPU: the fused kernel `shaders/nms.wgsl` over candidates
// sorted by descending score. Its reference is the CPU implementation every other backend uses
// (`postprocess/nms.ts: classAwareNms`), on the same candidates read back; the checks compare the two.
import * as tf from '@tensorflow/tfjs';
import shader from '@webglip/shaders/nms.wgsl?raw';
import { fusedPathActive } from './fused-switch.ts';
import { packParams, registerWgslKernel, runWgsl } from './run-wgsl.ts';

const KERNEL_NAME = 'WebglipNms';
const WORKGROUP_SIZE = 64;

/** Whether `nmsKeepMask` can run here (the webgpu backend with fused kernels on, float32 labels). */
export function gpuNmsActive(boxes: tf.Tensor2D, labels: tf.Tensor1D, keys: tf.Tensor1D): boolean {
  return labels.dtype === 'float32' && fusedPathActive(boxes, labels, keys);
}

/**
 * boxes `[K, 4]` xyxy, labels `[K]` float32 (whole numbers, as candidates.ts makes them), keys `[K]` (descending; −1 = not a candidate, last), IoU
 * threshold → keep `[K]` (1 kept, 0 suppressed or not a candidate). Needs `gpuNmsActive`.
 */
export function nmsKeepMask(boxes: tf.Tensor2D, labels: tf.Tensor1D, keys: tf.Tensor1D, iouThreshold: number): tf.Tensor1D {
  if (!gpuNmsActive(boxes, labels, keys)) throw new Error('nmsKeepMask runs on the webgpu backend with fused kernels on; use classAwareNms elsewhere');
  return tf.engine().runKernel(KERNEL_NAME, { boxes, labels, keys }, { iouThreshold }) as tf.Tensor1D;
}

registerWgslKernel(KERNEL_NAME, ({ boxes, labels, keys }, backend, attrs) => {
  const count = keys.shape[0];
  return runWgsl(backend, {
    label: 'nms',
    code: shader,
    constants: { WG: WORKGROUP_SIZE },
    inputs: { boxes, labels, keys },
    outputs: { keep: [count] },
    params: packParams([['u32', count], ['f32', attrs.iouThreshold as number]]),
    passes: [{ entryPoint: 'main', workgroups: [1, 1, 1] }],
  });
});
