// detectChunked on case-a converted by the real converter (64 px images: cheap), tfjs cpu: the image
// is encoded once over k chunks, the merge is the concatenation of each chunk's own detect, and every
// box names its phrase in the original prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectChunked } from './chunked-detect.ts';
import { GlipDetector } from './detector.ts';
import { PromptError } from './errors.ts';
import { useBackend } from './testing/backends.ts';
import { noiseImage } from './testing/noise-image.ts';
import { countingModelFiles } from './testing/tiny-model.ts';
import { categoryQuery } from './text/category-query.ts';
import { MAX_QUERY_LEN } from './text/encode-prompt.ts';
import { captionPrompt } from './text/prompt.ts';
import { chunkPrompt, wholeChunk } from './text/prompt-chunks.ts';

describe('detectChunked on cpu (tiny case-a)', () => {
  let detector: GlipDetector;
  const image = noiseImage(64, 48, 7);
  const names = ['red circle', 'blue square', 'green triangle', 'yellow star', 'person', 'dog', 'remote control'];

  beforeAll(async () => {
    await useBackend('cpu');
    detector = await GlipDetector.load(await countingModelFiles(), { cache: null });
  });
  afterAll(() => detector.dispose());

  it('a prompt that fits is one chunk and gives exactly what detect gives', async () => {
    const query = categoryQuery(names);
    const direct = await detector.detect(image, query, { threshold: 0.05 });
    const chunked = await detectChunked(detector, image, query, { threshold: 0.05 });
    expect(chunked.chunks).toHaveLength(1);
    expect(direct.length).toBeGreaterThan(0);
    expect(chunked.detections.map(({ chunk, ...d }) => (expect(chunk).toBe(0), d))).toEqual(direct);
  });

  it("k = 3 chunks: one image pass, k text + head runs, and the merge is each chunk's own detections concatenated", async () => {
    const query = categoryQuery(names);
    const fresh = noiseImage(64, 48, 8);
    const before = { ...detector.counters };
    const result = await detectChunked(detector, fresh, query, { threshold: 0.05, chunking: 'always', namesPerChunk: 3 });
    expect(result.chunks.map((c) => c.phrases)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(detector.counters.backboneRuns - before.backboneRuns).toBe(1);
    expect(detector.counters.detectRuns - before.detectRuns).toBe(3);
    expect(detector.counters.textRuns - before.textRuns).toBe(3);

    const expected = [];
    for (const [k, chunk] of chunkPrompt(wholeChunk(query), 3).entries()) {
      for (const d of await detector.detect(fresh, chunk.prompt, { threshold: 0.05 })) {
        const span = [d.charSpan[0] + chunk.offset, d.charSpan[1] + chunk.offset];
        expected.push({ ...d, charSpan: span, chunk: k });
      }
    }
    expect(detector.counters.backboneRuns - before.backboneRuns).toBe(1); // still cached
    expected.sort((a, b) => b.score - a.score);
    expect(result.detections).toEqual(expected);
    expect(result.detections.length).toBeGreaterThan(0);
    for (const d of result.detections) expect(query.caption.slice(...d.charSpan)).toBe(d.phrase);
  });

  it('a list longer than the window is cut into chunks of 40 names that each fit; no phrase is lost', async () => {
    const list = Array.from({ length: 90 }, (_, i) => `object kind ${i}`); // ~4 tokens each: > 256 in all
    const before = { ...detector.counters };
    const result = await detectChunked(detector, noiseImage(40, 40, 9), list, { threshold: 0.3 });
    expect(result.chunks.map((c) => c.phrases.length)).toEqual([40, 40, 10]);
    for (const c of result.chunks) expect(c.tokens).toBeLessThanOrEqual(MAX_QUERY_LEN);
    expect(result.dropped).toEqual([]);
    expect(detector.counters.backboneRuns - before.backboneRuns).toBe(1);
    expect(detector.counters.textRuns - before.textRuns).toBe(1 + 3); // the whole list was read once before it was cut
  });

  it('a free sentence longer than the window is cut at phrase boundaries, never inside a phrase', async () => {
    const words = (n: number): string => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(' ');
    const caption = `a red circle ${words(150)} a blue square ${words(150)} a green triangle`;
    const spans = ['a red circle', 'a blue square', 'a green triangle'].map((t): [number, number] => [caption.indexOf(t), caption.indexOf(t) + t.length]);
    const result = await detectChunked(detector, image, captionPrompt(caption, spans), { threshold: 0.05 });
    expect(result.chunks.length).toBeGreaterThan(1);
    expect(result.chunks.flatMap((c) => c.phrases)).toEqual([0, 1, 2]);
    for (const c of result.chunks) {
      expect(c.tokens).toBeLessThanOrEqual(MAX_QUERY_LEN);
      expect(caption.slice(c.offset, c.offset + c.caption.length)).toBe(c.caption);
      for (const i of c.phrases) expect(c.caption).toContain(caption.slice(...spans[i]));
    }
    for (const d of result.detections) expect(caption.slice(...d.charSpan)).toBe(d.phrase);
  });

  it('two category names that clean to the same text are both grounded, in one chunk or cut apart (GLIP LVIS)', async () => {
    const query = categoryQuery(['bow_(weapon)', 'bow_(decorative_ribbons)', 'mug']);
    for (const namesPerChunk of [3, 1]) {
      const result = await detectChunked(detector, image, query, { threshold: 0, chunking: 'always', namesPerChunk });
      expect(result.dropped).toEqual([]);
      expect(result.chunks.flatMap((c) => c.phrases)).toEqual([0, 1, 2]);
      const spans = new Set(result.detections.map((d) => d.charSpan.join(':')));
      for (const p of query.phrases) expect(spans.has(p.charSpan.join(':'))).toBe(true);
    }
  });

  it('typed errors: an empty vocabulary, a name longer than the window, duplicate names', async () => {
    await expect(detectChunked(detector, image, [])).rejects.toBeInstanceOf(PromptError);
    const long = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    await expect(detectChunked(detector, image, ['cat', long, 'dog'])).rejects.toThrow(/alone is longer than the 256 tokens/);
    await expect(detectChunked(detector, image, ['cat', 'dog', 'cat'])).rejects.toThrow(/names 0 and 2 of the vocabulary are both "cat"/);
  });
});
