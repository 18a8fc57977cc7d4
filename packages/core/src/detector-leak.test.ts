// 100 detect() calls leave tf.memory()'s tensor count and bytes unchanged, on cpu and on webgpu (Dawn
// in Node; SwiftShader without a GPU). The model is the real architecture at toy width with random
// weights and a 32 px input (testing/random-model.ts): ~15 s CPU on cpu, ~2–3 min CPU on SwiftShader.
// The calls cycle 3 images through the 2-image feature cache and 20 prompts through the 16-prompt
// cache, so every call encodes both and evicts old features, and every fourth call fails.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlipDetector } from './detector.ts';
import { GlipError } from './errors.ts';
import { TEST_BACKENDS, useBackend } from './testing/backends.ts';
import { noiseImage } from './testing/noise-image.ts';
import { randomModelFiles } from './testing/random-model.ts';

const CALLS = 100;
/** tfjs-backend-webgpu's MatMulProgramType.MatMulPackedProgram. */
const MATMUL_PACKED = 3;

interface MemoryNow {
  tensors: number;
  bytes: number;
  /** Bytes of live tensors on the GPU (webgpu's numBytesInGPU). */
  gpuBytes: number;
  /** Bytes the webgpu backend holds in GPU buffers, its reuse pool included (numBytesAllocatedInGPU). */
  gpuAllocated: number;
}

function memoryNow(): MemoryNow {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  return { tensors: m.numTensors, bytes: m.numBytes, gpuBytes: m.numBytesInGPU ?? 0, gpuAllocated: m.numBytesAllocatedInGPU ?? 0 };
}

/**
 * 20 distinct one-phrase prompts of 4 tokens each ([CLS] colour shape [SEP]): more than the prompt
 * cache keeps (16), so cycling them always misses; one length, so the cached features always take
 * the same bytes.
 */
const PROMPTS = Array.from({ length: 20 }, (_, i) => `${['red', 'green', 'blue', 'yellow', 'purple'][i % 5]} ${['circle', 'square', 'triangle', 'star'][Math.floor(i / 5)]}`);
/** Three images: more than the image cache keeps (2), so cycling them always misses. */
const IMAGES = [noiseImage(48, 40, 1), noiseImage(40, 48, 2), noiseImage(36, 36, 3)];

describe.each(TEST_BACKENDS)('GlipDetector memory on %s (random-weight model, 32 px)', (backend) => {
  let detector: GlipDetector;
  let k = 0;
  let successes = 0;

  /** The next call of the pattern: every fourth a prompt the engine refuses, else the next image and prompt. */
  async function next(): Promise<void> {
    if (k++ % 4 === 3) {
      await expect(detector.detect(IMAGES[0], ' . ')).rejects.toBeInstanceOf(GlipError);
      return;
    }
    const s = successes++;
    await detector.detect(IMAGES[s % 3], PROMPTS[s % 20], { threshold: 0.05 });
  }

  let matmulProgram: number | undefined;
  beforeAll(async () => {
    await useBackend(backend);
    if (backend === 'webgpu') {
      // tfjs picks its reduce matmul (one workgroup per output element) for outputs of ≤ 128
      // elements, which SwiftShader runs ~17× slower than the packed program (measured: 51 vs 3 ms CPU
      // for [5,16]×[16,16]); at this toy width that is most matmuls: ~4 s CPU a call instead of ~1 s.
      // Which matmul shader runs does not change what is checked here (tensors and GPU buffers).
      matmulProgram = tf.env().getNumber('WEBGPU_MATMUL_PROGRAM_TYPE');
      tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', MATMUL_PACKED);
    }
    detector = await GlipDetector.load(await randomModelFiles(), { cache: null });
  });
  afterAll(() => {
    detector.dispose();
    if (matmulProgram !== undefined) tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', matmulProgram);
  });

  it(`${CALLS} detect() calls leave the tensor count and the (GPU) bytes unchanged`, { timeout: 900_000 }, async () => {
    while (successes < PROMPTS.length) await next(); // fills both caches with every shape the loop will see
    const before = memoryNow();
    const runs = { ...detector.counters };
    for (let i = 0; i < CALLS; i++) {
      await next();
      expect(memoryNow(), `after call ${i + 1}`).toEqual(before);
    }
    // Every successful call missed both caches: BERT, Swin + FPN and the head ran each time, and evictions freed features.
    const ran = CALLS - CALLS / 4;
    expect(detector.counters).toEqual({ backboneRuns: runs.backboneRuns + ran, textRuns: runs.textRuns + ran, detectRuns: runs.detectRuns + ran });
    if (backend === 'webgpu') expect(before.gpuBytes).toBeGreaterThan(0);
  });
});
