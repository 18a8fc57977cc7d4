import { describe, expect, it } from 'vitest';
import type { PixelImage } from '../image/preprocess.ts';
import { CANDIDATE_THRESHOLD, EngineHost, type Engine, type EngineFactory } from './engine-host.ts';
import type { Detection, LoadProgress } from './protocol.ts';

const PROGRESS: LoadProgress = { phase: 'download', loadedBytes: 1, totalBytes: 2, shard: 'a.safetensors', fromCache: false };
/** The phrases the stand-in engine grounds in 'cat, dog' (two, as parsePrompt reads it). */
const PHRASES = [
  { text: 'cat', charSpan: [0, 3] as [number, number], tokenIndices: [1] },
  { text: 'dog', charSpan: [5, 8] as [number, number], tokenIndices: [3] },
];
const image: PixelImage = { data: new Uint8Array(4 * 2 * 2), width: 2, height: 2 };

function box(phrase: string, score: number): Detection {
  return { box: [0, 0, 1, 1], score, phrase, charSpan: [0, phrase.length], tokenIndices: [1] };
}

function fakeFactory(seen: { thresholds: number[]; images: PixelImage[] }): EngineFactory {
  const engine: Engine = {
    counters: { backboneRuns: 0, textRuns: 0, detectRuns: 0 },
    lastTimings: { backbone: 1 },
    async encodeImage(img) {
      seen.images.push(img);
      this.counters.backboneRuns++;
    },
    async encodePrompt() {
      return { phrases: PHRASES, dropped: [], inputIds: Int32Array.of(101, 4937, 1010, 3899, 102) };
    },
    async detect(img, _prompt, options) {
      const threshold = options?.threshold ?? 0.5;
      seen.images.push(img);
      seen.thresholds.push(threshold);
      return [box('cat', 0.9), box('dog', 0.3), box('cat', 0.1)].filter((d) => d.score > threshold);
    },
    dispose() {},
  };
  return {
    async chooseBackend() {
      return { backend: 'cpu', backendReason: 'cpu was requested', fallbackReason: 'test' };
    },
    async load(_model, onProgress: (p: LoadProgress) => void) {
      onProgress(PROGRESS);
      return engine;
    },
  };
}

describe('EngineHost', () => {
  it('loads, encodes, detects at the candidate threshold and re-thresholds without the engine', async () => {
    const seen = { thresholds: [] as number[], images: [] as PixelImage[] };
    const host = new EngineHost(fakeFactory(seen));
    const progress: LoadProgress[] = [];
    const info = await host.handle({ id: 1, type: 'load', model: 'models/x/', options: {} }, (e) => e.type === 'progress' && progress.push(e.progress));
    expect(info.backend).toBe('cpu');
    expect(progress).toEqual([PROGRESS]);

    await host.handle({ id: 2, type: 'encodeImage', imageId: 7, image }, () => {});
    const result = await host.handle({ id: 3, type: 'detect', imageId: 7, prompt: 'cat. dog', threshold: 0.5 }, () => {});
    expect(result.detections.map((d) => d.score)).toEqual([0.9]);
    expect(result.timings.stages).toEqual({ backbone: 1 });
    expect(result.timings.cached).toEqual(['text', 'backbone']); // the fake's counters never moved in detect
    expect(result.promptWarning).toBeNull();
    expect(result.phrases).toEqual(PHRASES); // the engine's phrases travel with its answer
    expect(seen.thresholds).toEqual([CANDIDATE_THRESHOLD]);
    expect(seen.images[0]).toBe(seen.images[1]); // the engine sees the same image object again

    const lower = await host.handle({ id: 4, type: 'rethreshold', threshold: 0.2 }, () => {});
    expect(lower.map((d) => d.phrase)).toEqual(['cat', 'dog']);
    // The official rule, as the detector applies it: strictly above the threshold.
    const atDog = await host.handle({ id: 6, type: 'rethreshold', threshold: 0.3 }, () => {});
    expect(atDog.map((d) => d.score)).toEqual([0.9]);
    const atCat = await host.handle({ id: 7, type: 'detect', imageId: 7, prompt: 'cat, dog', threshold: 0.9 }, () => {});
    expect(atCat.detections).toEqual([]);
    expect(await host.handle({ id: 5, type: 'counters' }, () => {})).toEqual({ backboneRuns: 1, textRuns: 0, detectRuns: 0 });
  });

  it('runs requests in the order they arrive: a detect sent during the load waits for the engine', async () => {
    const host = new EngineHost(fakeFactory({ thresholds: [], images: [] }));
    const load = host.handle({ id: 1, type: 'load', model: 'm/', options: {} }, () => {});
    const encode = host.handle({ id: 2, type: 'encodeImage', imageId: 1, image }, () => {});
    const detect = host.handle({ id: 3, type: 'detect', imageId: 1, prompt: 'cat, dog', threshold: 0.5 }, () => {});
    await Promise.all([load, encode]);
    expect((await detect).detections.map((d) => d.score)).toEqual([0.9]);
  });

  it('fails clearly before a model is loaded or for an unknown image', async () => {
    const host = new EngineHost(fakeFactory({ thresholds: [], images: [] }));
    await expect(host.handle({ id: 1, type: 'counters' }, () => {})).rejects.toThrow(/no model is loaded/);
    await host.handle({ id: 2, type: 'load', model: 'm/', options: {} }, () => {});
    await expect(host.handle({ id: 3, type: 'detect', imageId: 99, prompt: 'cat', threshold: 0.5 }, () => {})).rejects.toThrow(/unknown/);
  });

  it('reports a stage as cached only when the engine did not run it, and times the prompt it encoded', async () => {
    const prompts = new Set<string>();
    const lastTimings: Record<string, number> = {};
    const engine: Engine = {
      counters: { backboneRuns: 0, textRuns: 0, detectRuns: 0 },
      lastTimings,
      async encodeImage() {
        this.counters.backboneRuns++;
      },
      async encodePrompt(input) {
        const prompt = String(input);
        if (!prompts.has(prompt)) {
          await new Promise((resolve) => setTimeout(resolve, 20)); // BERT
          prompts.add(prompt);
          this.counters.textRuns++;
        }
        return { phrases: [{ text: prompt, charSpan: [0, prompt.length] as [number, number], tokenIndices: [1] }], dropped: [], inputIds: Int32Array.of(101, 4937, 102) };
      },
      async detect() {
        this.counters.detectRuns++;
        Object.assign(lastTimings, { text: 0, backbone: 0, head: 3 }); // GlipDetector: 0 for what its caches served
        return [box('cat', 0.9)];
      },
      dispose() {},
    };
    const host = new EngineHost({ chooseBackend: async () => ({ backend: 'cpu', backendReason: 'cpu was requested' }), load: async () => engine });
    await host.handle({ id: 1, type: 'load', model: 'm/', options: {} }, () => {});
    await host.handle({ id: 2, type: 'encodeImage', imageId: 1, image }, () => {});
    const first = await host.handle({ id: 3, type: 'detect', imageId: 1, prompt: 'cat', threshold: 0.5 }, () => {});
    expect(first.timings.cached).toEqual(['backbone']); // encoded by `encodeImage`, before this call
    expect(first.timings.stages.text).toBeGreaterThanOrEqual(15);
    const again = await host.handle({ id: 4, type: 'detect', imageId: 1, prompt: 'cat', threshold: 0.5 }, () => {});
    expect(again.timings.cached).toEqual(['text', 'backbone']);
    expect(again.timings.stages).toEqual({ text: 0, backbone: 0, head: 3 });
  });
});

describe('EngineHost prompt tuning', () => {
  /** A stand-in whose tuning waits for the test to release each step, so a cancel can land mid-run. */
  function tuningEngine(seen: { offsets: unknown[] }) {
    const gates: (() => void)[] = [];
    const engine: Engine = {
      counters: { backboneRuns: 0, textRuns: 0, detectRuns: 0 },
      async encodeImage() {},
      async encodePrompt(prompt) {
        const text = String(prompt);
        return { phrases: [{ text, charSpan: [0, text.length] as [number, number], tokenIndices: [1] }], dropped: [], inputIds: new Int32Array([101, 1, 102]) };
      },
      async detect(_img, _prompt, options) {
        seen.offsets.push(options?.promptOffset);
        return [box('cat', 0.9)];
      },
      async tunePrompt(examples, prompt, options, onProgress) {
        let step = 0;
        while (step < (options.steps ?? 1) && !options.signal.aborted) {
          await new Promise<void>((release) => gates.push(release));
          step++;
          onProgress({ step, steps: options.steps ?? 1, loss: 1 / step, parts: { cls: 1 / step }, examplesPerSecond: examples.length });
        }
        return { caption: prompt, tokenIds: [101, 4937, 102], shape: [3, 2], offset: new Float32Array(6).fill(step), finalLoss: 1 / step, steps: step, stopReason: options.signal.aborted ? 'cancelled' : 'completed', settings: { steps: step, learningRate: 0.05, weightDecay: 0.25, batchSize: 1, examples: examples.length } };
      },
      dispose() {},
    };
    const host = new EngineHost({ chooseBackend: async () => ({ backend: 'cpu', backendReason: 'cpu was requested' }), load: async () => engine });
    return { host, gates };
  }

  const until = async (condition: () => boolean): Promise<void> => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
  };

  it('reports every step, stops after the current step on cancelTune (which does not wait in the queue) and keeps that offset', async () => {
    const { host, gates } = tuningEngine({ offsets: [] });
    await host.handle({ id: 1, type: 'load', model: 'm/', options: {} }, () => {});
    const steps: number[] = [];
    const tuning = host.handle({ id: 2, type: 'tune', examples: [{ image, boxes: [{ box: [0, 0, 1, 1], phrase: 'cat' }] }], prompt: 'cat', options: { steps: 10 } }, (e) => e.type === 'tuneProgress' && steps.push(e.progress.step));
    await until(() => gates.length === 1);
    gates.shift()!();
    await until(() => gates.length === 1);
    await host.handle({ id: 3, type: 'cancelTune', tuneId: 2 }, () => {});
    gates.shift()!();
    const outcome = await tuning;
    expect(steps).toEqual([1, 2]);
    expect(outcome).toMatchObject({ steps: 2, cancelled: true, finalLoss: 0.5, shape: [3, 2] });
    expect([...outcome.offset]).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('detects with a tuned prompt: its caption, its offset given to the engine', async () => {
    const seen = { offsets: [] as unknown[] };
    const { host } = tuningEngine(seen);
    await host.handle({ id: 1, type: 'load', model: 'm/', options: {} }, () => {});
    await host.handle({ id: 2, type: 'encodeImage', imageId: 5, image }, () => {});
    const tuned = { caption: 'cat', tokenIds: [101, 4937, 102], shape: [3, 2] as [number, number], offset: new Float32Array(6) };
    const plain = await host.handle({ id: 3, type: 'detect', imageId: 5, prompt: 'cat', threshold: 0.5 }, () => {});
    const withOffset = await host.handle({ id: 4, type: 'detectTuned', imageId: 5, tuned, threshold: 0.5 }, () => {});
    expect(seen.offsets).toEqual([undefined, tuned]);
    expect(withOffset.phrases.map((p) => p.text)).toEqual(['cat']);
    expect(plain.detections).toEqual(withOffset.detections);
  });
});
