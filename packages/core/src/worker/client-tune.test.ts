// GlipClient.tune through a stand-in Worker that runs the real EngineHost (messages structured-cloned
// as postMessage does): progress reaches the page per step, aborting the signal sends `cancelTune`,
// which the host handles beside its queue, and the run resolves with its last good offset.
import { describe, expect, it } from 'vitest';
import type { PixelImage } from '../image/preprocess.ts';
import { GlipClient } from './client.ts';
import { EngineHost, type Engine } from './engine-host.ts';
import { errorPayload, type Request, type Response, type TuneProgress } from './protocol.ts';

/** A tuning engine whose every step waits one macrotask, so the page can cancel mid-run. */
const engine: Engine = {
  counters: { backboneRuns: 0, textRuns: 0, detectRuns: 0 },
  async encodeImage() {},
  async encodePrompt() {
    return { phrases: [], dropped: [], inputIds: new Int32Array([101, 102]) };
  },
  async detect() {
    return [];
  },
  async tunePrompt(examples, prompt, options, onProgress) {
    let step = 0;
    while (step < (options.steps ?? 1) && !options.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      step++;
      onProgress({ step, steps: options.steps ?? 1, loss: 2 / step, parts: {}, examplesPerSecond: examples.length });
    }
    return { caption: prompt, tokenIds: [101, 102], shape: [2, 1], offset: new Float32Array([step, -step]), finalLoss: 2 / step, steps: step, stopReason: options.signal.aborted ? 'cancelled' : 'completed', settings: { steps: step, learningRate: 0.05, weightDecay: 0.25, batchSize: 1, examples: examples.length } };
  },
  dispose() {},
};

class HostWorker {
  onmessage: ((event: MessageEvent<Response>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly received: Request['type'][] = [];
  private readonly host = new EngineHost({ chooseBackend: async () => ({ backend: 'cpu', backendReason: 'cpu was requested' }), load: async () => engine });

  postMessage(message: Request): void {
    const request = structuredClone(message);
    this.received.push(request.type);
    const post = (response: Response): void => this.onmessage?.({ data: structuredClone(response) } as MessageEvent<Response>);
    this.host
      .handle(request, (hostEvent) => post({ id: request.id, ...hostEvent }))
      .then((value) => post({ id: request.id, type: 'result', value }), (e: unknown) => post({ id: request.id, type: 'error', error: errorPayload(e) }));
  }
  terminate(): void {}
}

const image: PixelImage = { data: new Uint8Array(4 * 4 * 4), width: 4, height: 4 };

describe('GlipClient.tune', () => {
  it('reports each step, and a cancel stops the run with the offset of its last step', async () => {
    const worker = new HostWorker();
    const client = new GlipClient(worker as unknown as Worker);
    await client.load('https://models.example/m/');
    const seen: TuneProgress[] = [];
    const controller = new AbortController();
    const outcome = await client.tune([{ image, boxes: [{ box: [0, 0, 2, 2], phrase: 'cat' }] }], 'cat', {
      steps: 1000,
      learningRate: 0.05,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.step === 3) controller.abort();
      },
    });
    expect(worker.received).toEqual(['load', 'tune', 'cancelTune']);
    expect(outcome.cancelled).toBe(true);
    expect(outcome.steps).toBeGreaterThanOrEqual(3);
    expect(outcome.steps).toBeLessThan(1000);
    expect(seen.map((p) => p.step)).toEqual(Array.from({ length: outcome.steps }, (_, i) => i + 1));
    expect([...outcome.offset]).toEqual([outcome.steps, -outcome.steps]);
    expect(image.data.byteLength).toBe(64); // the page's pixels were copied, not transferred away
  });

  it('runs to the end without a signal', async () => {
    const client = new GlipClient(new HostWorker() as unknown as Worker);
    await client.load('https://models.example/m/');
    const outcome = await client.tune([{ image, boxes: [{ box: [0, 0, 2, 2], phrase: 'cat' }] }], 'cat', { steps: 4 });
    expect(outcome).toMatchObject({ steps: 4, finalLoss: 0.5, cancelled: false });
  });
});
