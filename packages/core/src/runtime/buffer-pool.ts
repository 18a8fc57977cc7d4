// tfjs-webgpu keeps every buffer a disposed tensor frees in a pool keyed by its exact byte size, for
// reuse, and never gives pooled buffers back to the device. Preparing the weights at load frees each
// weight's official f32 buffer while the prepared layout (f16 pairs above all) has another size, so
// after the load-time pass the pool holds about as many bytes as the f32 weights (GLIP-T at 64×96: tfjs
// held 1 872 MB after the bench's runs with them, 517 MB without).
// `releasePooledBuffers` destroys the pooled buffers. tfjs has no API for it: this reads the
// backend's buffer manager (its fields typed below; a tfjs upgrade that moves them fails the test).
import * as tf from '@tensorflow/tfjs';

/** The fields of tfjs-webgpu's BufferManager this file reads and writes. */
interface BufferPool {
  freeBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
}

/**
 * Destroys the buffers tfjs-webgpu holds for reuse (none of them backs a live tensor) and returns
 * their bytes; 0 on other backends. Call it when no GPU work that freed them is still being encoded
 * (after a read-back): WebGPU frees a destroyed buffer once submitted work using it has completed.
 */
export function releasePooledBuffers(): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  const pool = (tf.backend() as unknown as { bufferManager?: BufferPool }).bufferManager;
  if (!(pool?.freeBuffers instanceof Map)) throw new Error('releasePooledBuffers: tfjs-webgpu has no bufferManager.freeBuffers (another tfjs version?)');
  let bytes = 0;
  for (const buffers of pool.freeBuffers.values()) {
    for (const buffer of buffers) {
      bytes += buffer.size;
      buffer.destroy();
    }
    buffers.length = 0; // the keys stay: tfjs reads an empty map as a disposed manager
  }
  pool.numFreeBuffers = 0;
  pool.numBytesAllocated -= bytes;
  return bytes;
}
