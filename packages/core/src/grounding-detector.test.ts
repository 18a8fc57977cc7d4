// GlipDetector and GlipClient are one interface (GroundingDetector): the same code, run on the engine
// in this thread and on a GlipClient whose worker is an EngineHost over another copy of the engine
// (in-process, messages cloned as postMessage would), gets the same phrases and the same boxes; the
// threshold rule and default are one. Tiny case-a on cpu (64 px images: cheap).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLD as DETECTOR_DEFAULT, GlipDetector } from './detector.ts';
import { aboveThreshold, DEFAULT_THRESHOLD, type GroundingDetector } from './grounding-detector.ts';
import * as core from './index.ts';
import { useBackend } from './testing/backends.ts';
import { noiseImage } from './testing/noise-image.ts';
import { tinyModelFolder } from './testing/tiny-model.ts';
import type { ModelFiles } from './weights/model-files.ts';
import { GlipClient } from './worker/client.ts';
import { EngineHost } from './worker/engine-host.ts';
import type { Request, Response } from './worker/protocol.ts';

async function tinyFiles(): Promise<ModelFiles> {
  const files = await tinyModelFolder();
  return { read: async (file) => Uint8Array.from(files.get(file)!) };
}

/** A Worker stand-in that hands each message (structured-cloned) to an EngineHost in this thread. */
function hostWorker(): Worker {
  const host = new EngineHost({
    chooseBackend: async () => ({ backend: 'cpu', backendReason: 'cpu was requested' }),
    load: async (_model, onProgress) => GlipDetector.load(await tinyFiles(), { cache: null, onProgress }),
  });
  const worker = {
    onmessage: null as ((event: MessageEvent<Response>) => void) | null,
    onerror: null,
    postMessage(message: Request) {
      const request = structuredClone(message);
      const post = (response: Response): void => worker.onmessage?.({ data: structuredClone(response) } as MessageEvent<Response>);
      host.handle(request, (hostEvent) => post({ id: request.id, ...hostEvent })).then(
        (value) => post({ id: request.id, type: 'result', value }),
        (e: Error) => post({ id: request.id, type: 'error', error: { name: e.name, message: e.message } }),
      );
    },
    terminate() {},
  };
  return worker as unknown as Worker;
}

/** Written once against the interface. */
async function phrasesAndBoxes(detector: GroundingDetector, prompt: string) {
  const image = noiseImage(64, 48, 7);
  const { phrases } = await detector.encodePrompt(prompt);
  await detector.encodeImage(image);
  const detections = await detector.detect(image, prompt, { threshold: 0 });
  const byDefault = await detector.detect(image, prompt);
  return { phrases: phrases.map((p) => [p.text, p.charSpan]), detections, byDefault };
}

describe('GroundingDetector: GlipDetector and GlipClient', () => {
  let detector: GlipDetector;
  let client: GlipClient;

  beforeAll(async () => {
    await useBackend('cpu');
    detector = await GlipDetector.load(await tinyFiles(), { cache: null });
    client = new GlipClient(hostWorker());
    await client.load('https://models.example/tiny/'); // the stand-in loads the tiny folder whatever the URL
  });
  afterAll(async () => {
    detector.dispose();
    await client.dispose();
  });

  it('give the same phrases ("cat, dog" is two) and the same boxes through the same code', async () => {
    const here = await phrasesAndBoxes(detector, 'red circle, blue square. green triangle');
    const there = await phrasesAndBoxes(client, 'red circle, blue square. green triangle');
    expect(here.phrases).toEqual([
      ['red circle', [0, 10]],
      ['blue square', [12, 23]],
      ['green triangle', [25, 39]],
    ]);
    expect(there.phrases).toEqual(here.phrases);
    expect(here.detections.length).toBeGreaterThan(0);
    expect(there.detections).toEqual(here.detections);
    expect(there.byDefault).toEqual(here.byDefault);
    expect(here.byDefault).toEqual(aboveThreshold(here.detections, DEFAULT_THRESHOLD));
  });

  it('has one threshold rule (strictly above) and one default, exported with GlipClient from the package', () => {
    expect(DETECTOR_DEFAULT).toBe(DEFAULT_THRESHOLD);
    expect(core.DEFAULT_THRESHOLD).toBe(DEFAULT_THRESHOLD);
    expect(core.GlipClient).toBe(GlipClient);
    const scored = [0.9, 0.5, 0.2].map((score) => ({ score }));
    expect(aboveThreshold(scored, 0.5)).toEqual([{ score: 0.9 }]);
  });
});
