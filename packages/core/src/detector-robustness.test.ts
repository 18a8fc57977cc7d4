// GlipDetector under abuse, with case-a converted by the real converter (64 px images: cheap):
// concurrent calls, dispose() mid-inference, extreme image sizes, and no network request but the
// model URL. cpu by default; the same on webgpu (SwiftShader: ~1 min per detect) with
// WEBGLIP_E2E_WEBGPU=1. The 100-call leak check is detector-leak.test.ts (cpu and webgpu, always).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlipDetector } from './detector.ts';
import { GlipError, ImageInputError } from './errors.ts';
import { TEST_BACKENDS, useBackend } from './testing/backends.ts';
import { noiseImage } from './testing/noise-image.ts';
import { countingModelFiles, tinyModelFolder } from './testing/tiny-model.ts';
import { memoryShardCache } from './weights/shard-cache.ts';

const backends = TEST_BACKENDS.filter((b) => b === 'cpu' || process.env.WEBGLIP_E2E_WEBGPU === '1');

describe.each(backends)('GlipDetector robustness on %s (tiny case-a)', (backend) => {
  let detector: GlipDetector;
  let baseline: number;
  const images = [noiseImage(48, 40, 1), noiseImage(40, 48, 2), noiseImage(64, 64, 3)];
  const prompts = ['red circle. blue square', 'green triangle', 'red circle. blue square. green triangle'];

  beforeAll(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
    detector = await GlipDetector.load(await countingModelFiles(), { cache: null });
  });
  afterAll(() => detector.dispose());

  it('concurrent detect() calls are queued and each gets its own result', async () => {
    const calls = [[0, 0], [1, 1], [2, 2]] as const;
    const together = await Promise.all(calls.map(([i, p]) => detector.detect(images[i], prompts[p], { threshold: 0.05 })));
    const oneByOne = [];
    for (const [i, p] of calls) oneByOne.push(await detector.detect(images[i], prompts[p], { threshold: 0.05 }));
    expect(together).toEqual(oneByOne);
    expect(new Set(together.map((d) => JSON.stringify(d))).size).toBeGreaterThan(1); // really different results
  });

  it.runIf(backend === 'cpu')('extreme sizes: 0×0 is an ImageInputError; 1×1 and a 1×3000 strip are detected without error', async () => {
    await expect(detector.detect({ data: new Uint8Array(0), width: 0, height: 0 }, 'cat')).rejects.toBeInstanceOf(ImageInputError);
    await expect(detector.detect({ data: new Uint8Array(5), width: 2, height: 2 }, 'cat')).rejects.toBeInstanceOf(ImageInputError); // neither RGB nor RGBA
    expect(Array.isArray(await detector.detect(noiseImage(1, 1, 4), 'cat', { threshold: 0 }))).toBe(true);
    const strip = await detector.detect(noiseImage(3000, 1, 5), 'cat', { threshold: 0 });
    for (const d of strip) {
      expect(d.box[0]).toBeGreaterThanOrEqual(0);
      expect(d.box[2]).toBeLessThanOrEqual(3000);
    }
  });

  it.runIf(backend === 'cpu')('dispose() during detect(): the call ends in a typed error or its result, and every tensor is freed', async () => {
    const own = await GlipDetector.load(await countingModelFiles(), { cache: null });
    const before = tf.memory().numTensors;
    const running = own.detect(noiseImage(50, 30, 9), 'blue square', { threshold: 0.2 });
    const queued = own.detect(noiseImage(30, 50, 10), 'green triangle');
    await new Promise((r) => setTimeout(r, 0));
    own.dispose();
    for (const call of [running, queued]) {
      const outcome = await call.then(() => 'result', (e: unknown) => e);
      if (outcome !== 'result') expect(outcome).toBeInstanceOf(GlipError);
    }
    await expect(own.detect(noiseImage(8, 8, 1), 'cat')).rejects.toThrow(/disposed/);
    expect(tf.memory().numTensors).toBeLessThan(before);
    // Only the shared detector's tensors remain.
    detector.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    detector = await GlipDetector.load(await countingModelFiles(), { cache: null });
  });
});

describe('GlipDetector makes no network request but the model URL', () => {
  it('fetches only files under the given model URL', async () => {
    await useBackend('cpu');
    const files = await tinyModelFolder();
    const requested: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      requested.push(url.href);
      const bytes = url.origin === 'https://models.example' ? files.get(url.pathname.split('/').pop()!) : undefined;
      return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>) : new Response(null, { status: 404 });
    }) as typeof fetch;
    try {
      const detector = await GlipDetector.load('https://models.example/glip/tiny/', { cache: memoryShardCache() });
      await detector.detect(noiseImage(32, 32, 7), 'red circle', { threshold: 0.5 });
      detector.dispose();
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(requested.length).toBeGreaterThanOrEqual(4);
    for (const url of requested) expect(url.startsWith('https://models.example/glip/tiny/')).toBe(true);
  });
});
