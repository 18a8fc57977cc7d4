import { describe, expect, it } from 'vitest';
import type { PixelImage } from '../image/preprocess.ts';
import { CANDIDATE_THRESHOLD, EngineHost, type Engine, type EngineFactory } from './engine-host.ts';
import type { Detection, LoadProgress } from './protocol.ts';

const PROGRESS: LoadProgress = { phase: 'download', loadedBytes: 1, totalBytes: 2, shard: 'a.safetensors', fromCache: false };
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
      return { dropped: [] };
    },
    async detect(img, _prompt, { threshold }) {
      seen.images.push(img);
      seen.thresholds.push(threshold);
      return [box('cat', 0.9), box('dog', 0.3), box('cat', 0.1)].filter((d) => d.score >= threshold);
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
    const info = await host.handle({ id: 1, type: 'load', model: 'models/x/', options: {} }, (p) => progress.push(p));
    expect(info.backend).toBe('cpu');
    expect(progress).toEqual([PROGRESS]);

    await host.handle({ id: 2, type: 'encodeImage', imageId: 7, image }, () => {});
    const result = await host.handle({ id: 3, type: 'detect', imageId: 7, prompt: 'cat. dog', threshold: 0.5 }, () => {});
    expect(result.detections.map((d) => d.score)).toEqual([0.9]);
    expect(result.timings.stages).toEqual({ backbone: 1 });
    expect(result.promptWarning).toBeNull();
    expect(seen.thresholds).toEqual([CANDIDATE_THRESHOLD]);
    expect(seen.images[0]).toBe(seen.images[1]); // the engine sees the same image object again

    const lower = await host.handle({ id: 4, type: 'rethreshold', threshold: 0.2 }, () => {});
    expect(lower.map((d) => d.phrase)).toEqual(['cat', 'dog']);
    expect(seen.thresholds).toHaveLength(1);
    expect(await host.handle({ id: 5, type: 'counters' }, () => {})).toEqual({ backboneRuns: 1, textRuns: 0, detectRuns: 0 });
  });

  it('fails clearly before a model is loaded or for an unknown image', async () => {
    const host = new EngineHost(fakeFactory({ thresholds: [], images: [] }));
    await expect(host.handle({ id: 1, type: 'counters' }, () => {})).rejects.toThrow(/no model is loaded/);
    await host.handle({ id: 2, type: 'load', model: 'm/', options: {} }, () => {});
    await expect(host.handle({ id: 3, type: 'detect', imageId: 99, prompt: 'cat', threshold: 0.5 }, () => {})).rejects.toThrow(/unknown/);
  });
});
