// Benchmark of chunked vocabularies (core's detectChunked) on the small model (glip-nano when shipped):
// detection time with k = 1, 2, 4 chunks of 40 names and with an LVIS-sized list (1,203 synthetic names
// → 31 chunks), each as a ratio to one chunk, all measured in one run on one backend. Every run gets a
// new image (the backbone runs once per detection) and new names (BERT runs for every chunk), so a
// detection costs one image pass + k × (text + head); the bound printed beside each ratio is that sum
// from the measured parts: image = encodeImage alone, chunk = one-chunk detection − image.
// Not a test and not part of `pnpm bench` (it is its own entry point):
//   pnpm tsx tools/bench/chunked-prompts.ts [--backend webgpu|cpu] [--runs N] [--short-side S] [--lvis-names N]
import { parseArgs } from 'node:util';
import type { ChunkedDetectResult } from '@webglip/core/engine';
import type { GlipDetector as Detector } from '@webglip/core/engine';
import type { BackendKind } from '@webglip/core/engine';
import type { Prompt } from '@webglip/core/engine';

await import('@webglip/core/node-gpu');
await import('@webglip/core/node-hooks'); // `?raw` shader imports and tokenizers-wasm's `.wasm` import, before anything links them
const { detectChunked } = await import('@webglip/core/engine');
const { GlipDetector } = await import('@webglip/core/engine');
const { categoryQuery } = await import('@webglip/core/engine');
const { freshBackend, timed } = await import('./gpu.ts');
const { smallModel } = await import('./models.ts');
const { percentile, round } = await import('./stats.ts');
const { distinctImage } = await import('./workload.ts');

const NAMES_PER_CHUNK = 40;

/** `count` distinct synthetic names for run `run` ("object 17 kind 3": 4 WordPiece tokens each). */
function vocabulary(count: number, run: number): Prompt {
  return categoryQuery(Array.from({ length: count }, (_, i) => `object ${i} kind ${run}`));
}

interface Case {
  label: string;
  names: number;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string', default: 'webgpu' },
      runs: { type: 'string', default: '3' },
      'short-side': { type: 'string' },
      'lvis-names': { type: 'string', default: '1203' },
    },
  });
  const backend = values.backend as BackendKind;
  const runs = Number(values.runs);
  const lvisNames = Number(values['lvis-names']);
  await freshBackend(backend);
  const model = smallModel(values['short-side'] === undefined ? undefined : Number(values['short-side']));
  const detector: Detector = new GlipDetector(model.config, await model.loadWeights(), model.makeTokenizer(), model.maxImageSize);
  try {
    await detector.precompile();
    const cases: Case[] = [
      { label: 'k = 1', names: NAMES_PER_CHUNK },
      { label: 'k = 2', names: 2 * NAMES_PER_CHUNK },
      { label: 'k = 4', names: 4 * NAMES_PER_CHUNK },
      { label: `${lvisNames} names`, names: lvisNames },
    ];
    let run = 0;
    const next = () => ++run;
    // warm-up: one detection of each size (tfjs programs for every chunk shape compiled)
    for (const c of cases) await detectChunked(detector, distinctImage(model.image, next()), vocabulary(c.names, run), { chunking: 'always', threshold: 0.05 });
    const imageMs: number[] = [];
    for (let r = 0; r < runs; r++) imageMs.push((await timed(() => detector.encodeImage(distinctImage(model.image, next())))).ms);
    const rows: Array<{ label: string; chunks: number; ms: number; backboneRuns: number }> = [];
    for (const c of cases) {
      const ms: number[] = [];
      let chunks = 0;
      const before = detector.counters.backboneRuns;
      for (let r = 0; r < runs; r++) {
        const image = distinctImage(model.image, next());
        const { ms: t, value } = await timed((): Promise<ChunkedDetectResult> => detectChunked(detector, image, vocabulary(c.names, run), { chunking: 'always', threshold: 0.05 }));
        ms.push(t);
        chunks = value.chunks.length;
      }
      rows.push({ label: c.label, chunks, ms: percentile(ms, 50), backboneRuns: (detector.counters.backboneRuns - before) / runs });
      console.error(`${c.label}: ${chunks} chunk(s), ${round(percentile(ms, 50))} ms`);
    }
    const image = percentile(imageMs, 50);
    const one = rows[0].ms;
    const chunk = one - image;
    console.log(`chunked prompts — ${model.name} on ${backend}, median of ${runs} run(s) each, one process`);
    console.log(`image pass ${round(image)} ms, one chunk (text + head) ${round(chunk)} ms`);
    console.log('| case | chunks | backbone runs / detection | ms | ratio to k = 1 | bound: image + k × chunk, as ratio |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.label} | ${r.chunks} | ${r.backboneRuns} | ${round(r.ms)} | ${round(r.ms / one, 2)} | ${round((image + r.chunks * chunk) / one, 2)} |`);
    return 0;
  } finally {
    detector.dispose();
  }
}

process.exitCode = await main(process.argv.slice(2));
