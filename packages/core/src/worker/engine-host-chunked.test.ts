// The worker's `detectChunked` on the real engine (tiny case-a converted by the real converter, tfjs
// cpu, 64 px images): each chunk is reported as it finishes, the merge is the engine's detectChunked
// at the candidate threshold (so `rethreshold` re-filters it), the image is encoded once, and the
// engine's typed errors for a bad vocabulary reach the caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectChunked } from '../chunked-detect.ts';
import { GlipDetector } from '../detector.ts';
import { PromptError } from '../errors.ts';
import { useBackend } from '../testing/backends.ts';
import { noiseImage } from '../testing/noise-image.ts';
import { countingModelFiles } from '../testing/tiny-model.ts';
import { GlipClient } from './client.ts';
import { CANDIDATE_THRESHOLD, EngineHost } from './engine-host.ts';
import { errorPayload, type ChunkProgress, type Request, type Response } from './protocol.ts';

/** The host behind a Worker-shaped object, wired as worker.ts wires it; messages are structured-cloned both ways. */
function inProcessWorker(host: EngineHost): Worker {
  const worker = {
    onmessage: null as ((event: MessageEvent<Response>) => void) | null,
    onerror: null,
    terminate() {},
    postMessage(message: Request) {
      const request = structuredClone(message);
      const post = (response: Response): void => worker.onmessage?.({ data: structuredClone(response) } as MessageEvent<Response>);
      host.handle(request, (hostEvent) => post({ id: request.id, ...hostEvent })).then(
        (value) => post({ id: request.id, type: 'result', value }),
        (e: unknown) => post({ id: request.id, type: 'error', error: errorPayload(e) }),
      );
    },
  };
  return worker as unknown as Worker;
}

describe('EngineHost detectChunked (tiny case-a on cpu)', () => {
  let detector: GlipDetector;
  let host: EngineHost;
  const image = noiseImage(64, 48, 11);
  // 90 names of ~4 tokens: past the 256-token window, so chunks of 40, 40 and 10
  const names = Array.from({ length: 90 }, (_, i) => `object kind ${i}`);
  const pasted = names.join('\n');

  beforeAll(async () => {
    await useBackend('cpu');
    detector = await GlipDetector.load(await countingModelFiles(), { cache: null });
    host = new EngineHost({ chooseBackend: async () => ({ backend: 'cpu', backendReason: 'cpu was requested' }), load: async () => detector });
    await host.handle({ id: 1, type: 'load', model: 'tiny/', options: {} }, () => {});
    await host.handle({ id: 2, type: 'encodeImage', imageId: 1, image }, () => {});
  });
  afterAll(() => detector.dispose());

  it('reports chunk i of k as each finishes and answers with the merge, the image encoded once', async () => {
    const progress: ChunkProgress[] = [];
    const before = { ...detector.counters };
    const reply = await host.handle({ id: 3, type: 'detectChunked', imageId: 1, prompt: pasted, threshold: 0.3 }, (e) => e.type === 'chunk' && progress.push(e.chunk));
    expect(detector.counters.backboneRuns).toBe(before.backboneRuns); // encoded by `encodeImage`, reused by every chunk
    expect(reply.timings.cached).toContain('backbone');
    expect(reply.chunks.map((c) => c.phrases.length)).toEqual([40, 40, 10]);
    // the whole list is read once before it is cut (total 1), then its three chunks
    expect(progress).toEqual([
      { done: 1, total: 3 },
      { done: 2, total: 3 },
      { done: 3, total: 3 },
    ]);
    expect(reply.phrases.map((p) => p.text)).toEqual(names); // the newline-separated list, parsed as the engine parses prompts
    expect(reply.promptWarning).toBeNull();

    const direct = await detectChunked(detector, image, pasted, { threshold: CANDIDATE_THRESHOLD });
    expect(direct.detections.length).toBeGreaterThan(0);
    expect(reply.detections).toEqual(direct.detections.filter((d) => d.score > 0.3));
    for (const d of reply.detections) expect(pasted.slice(...d.charSpan)).toBe(d.phrase);
    const lower = await host.handle({ id: 4, type: 'rethreshold', threshold: 0.1 }, () => {});
    expect(lower).toEqual(direct.detections.filter((d) => d.score > 0.1));
  });

  it('a vocabulary that fits is one chunk, and repeated names in a string are reported, as a single prompt reports them', async () => {
    const progress: ChunkProgress[] = [];
    const reply = await host.handle({ id: 5, type: 'detectChunked', imageId: 1, prompt: 'cat. dog. cat.', threshold: 0.4 }, (e) => e.type === 'chunk' && progress.push(e.chunk));
    expect(progress).toEqual([{ done: 1, total: 1 }]);
    expect(reply.phrases.map((p) => p.text)).toEqual(['cat', 'dog']);
    expect(reply.promptWarning).toMatch(/"cat": they repeat an earlier phrase/);
  });

  it("the engine's typed errors: empty vocabulary, a name longer than the window, a name listed twice", async () => {
    const ask = (prompt: string | string[]) => host.handle({ id: 6, type: 'detectChunked', imageId: 1, prompt, threshold: 0.4 }, () => {});
    await expect(ask(' . , ')).rejects.toBeInstanceOf(PromptError);
    await expect(ask([])).rejects.toBeInstanceOf(PromptError);
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    await expect(ask(['cat', long])).rejects.toThrow(/alone is longer than the 256 tokens/);
    await expect(ask(['cat', 'dog', 'Cat'])).rejects.toThrow(/names 0 and 2 of the vocabulary are both "Cat"/);
  });

  it('GlipClient.detectChunked: chunk messages reach onChunk before the reply; errors come back as PromptError', async () => {
    const client = new GlipClient(inProcessWorker(host));
    const progress: ChunkProgress[] = [];
    const handle = await client.encodeImage(image);
    const reply = await client.detectChunked(handle, names.slice(0, 70), { threshold: 0.3, onChunk: (p) => progress.push(p) });
    expect(reply.chunks.map((c) => c.phrases.length)).toEqual([40, 30]);
    expect(progress.at(-1)).toEqual({ done: 2, total: 2 });
    expect(reply.detections.every((d) => d.score > 0.3)).toBe(true);
    await expect(client.detectChunked(handle, ['cat', 'cat'])).rejects.toBeInstanceOf(PromptError);
  });
});
