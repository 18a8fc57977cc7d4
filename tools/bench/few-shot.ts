// `pnpm bench:few-shot`: what prompt tuning buys on categories the model never saw (issue #21 part 6).
// tools/synth/few-shot.ts makes the data: a pool of training scenes and two held-out test sets, all
// with one shared prompt of 8 trained colour×shape names and the 4 novel shapes. Then, through the
// product's own CLI (`webglip tune`, `webglip eval --tuned-prompt`, each run as a user runs it):
//   zero-shot      the untuned prompt on both test sets;
//   K shots        `webglip tune --shots K` on the pool (K images per novel category, the first in the
//                  file that show it), then both test sets with the tuned prompt;
//   taught rows    the same for `--taught-shots` K with `--taught-phrases-only` (only the novel names'
//                  offset rows trained; GLIP trains every row).
// test-novel's AP is AP over the novel categories (only they have boxes there), test-old's over the old
// ones: does tuning for new names in a shared prompt cost the old names anything?
// Cost, measured in this process on the same backend: one inference (a new image: backbone + head),
// one tuning step, the peak live tensor bytes of each (watchPeakTensorBytes: the count after every kernel), and the K-shot run's time to convergence
// (the step where its loss curve settles, few-shot-report.ts, times the measured step time).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { BackendKind, TuningExample } from '@webglip/core/engine';
import { createBackend, decodeImage, GlipDetector, watchPeakTensorBytes } from '@webglip/core/engine';
import { folderModelFiles } from '@webglip/core/node';
import { parseCoco } from '../../packages/cli/src/eval/benchmark-data.ts';
import { cocoTuningSet, tuningBoxes } from '../../packages/cli/src/tune/coco-tuning-set.ts';
import { writeFewShotSet } from '../synth/few-shot.ts';
import type { FewShotCost, FewShotRow } from './few-shot-report.ts';
import { convergenceStep, fewShotMarkdown, tuneLosses } from './few-shot-report.ts';
import { percentile } from './stats.ts';

const USAGE = `usage: pnpm bench:few-shot [options]
  --model DIR        converted model folder (default models/glip-nano)
  --backend B        wasm (default) or cpu, for every command and the cost measurement
  --shots LIST       shot counts (default 1,5,10)
  --taught-shots K   also K shots with --taught-phrases-only (default 5; 0: not)
  --steps N          tuning steps per run (default 40; batch 4, GLIP's lr 0.05 / wd 0.25)
  --pool N           training-pool scenes (default 60)
  --test N           scenes per test set (default 60)
  --seed S           data seed (default 21)
  --out DIR          data, tuned prompts and reports (default tools/bench/out/few-shot)
  --md FILE          also write the markdown report here`;

const BATCH_SIZE = 4;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `webglip <args>` as a user runs it; rejects when it exits ≠ 0. */
function webglip(args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['packages/cli/bin/webglip.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const run = { code: code ?? -1, stdout, stderr, ms: performance.now() - started };
      if (run.code === 0) resolve(run);
      else reject(new Error(`webglip ${args.join(' ')} exited ${run.code}:\n${stderr.slice(-2000)}`));
    });
  });
}

async function evalAp(model: string, data: string, backend: string, tuned?: string): Promise<{ ap: number; ap50: number }> {
  const run = await webglip(['eval', '--model', model, '--data', data, '--backend', backend, '--json', ...(tuned ? ['--tuned-prompt', tuned] : [])]);
  const r = JSON.parse(run.stdout) as { ap: number | null; ap50: number | null };
  if (r.ap === null || r.ap50 === null) throw new Error(`${data}: no category has ground truth`);
  return { ap: r.ap, ap50: r.ap50 };
}

/** The K-shot examples of the pool, decoded, as `webglip tune` builds them. */
async function poolExamples(pool: string, shots: number): Promise<TuningExample[]> {
  const set = cocoTuningSet(parseCoco(JSON.parse(readFileSync(pool, 'utf8')), pool), shots);
  const examples: TuningExample[] = [];
  for (const image of set.images) {
    const pixels = await decodeImage(readFileSync(join(pool, '..', image.image.file_name)), { maxSide: Number.MAX_SAFE_INTEGER });
    examples.push({ image: pixels, boxes: tuningBoxes(image, pixels.width, pixels.height, pool) });
  }
  return examples;
}

/** One inference and one tuning step on `backend`, each timed and its peak tensor bytes taken. */
async function measureCost(model: string, backend: BackendKind, pool: string, test: string, shots: number): Promise<Omit<FewShotCost, 'convergence'>> {
  await createBackend(backend);
  const detector = await GlipDetector.load(folderModelFiles(model), { cache: null });
  try {
    const testSet = parseCoco(JSON.parse(readFileSync(test, 'utf8')), test);
    const prompt = cocoTuningSet(testSet).prompt;
    const images = await Promise.all(testSet.images.slice(0, 4).map(async (i) => decodeImage(readFileSync(join(test, '..', i.file_name)))));
    await detector.detect(images[0], prompt); // warm-up: programs, the prompt's text features
    const inferenceMs: number[] = [];
    let inferencePeakBytes = 0;
    for (const image of images.slice(1)) {
      const before = tf.memory().numBytes;
      const watch = watchPeakTensorBytes();
      const started = performance.now();
      await detector.detect(image, prompt);
      inferenceMs.push(performance.now() - started);
      watch.stop();
      inferencePeakBytes = Math.max(inferencePeakBytes, watch.peak() - before);
    }
    const examples = await poolExamples(pool, shots);
    const stepTimes: number[] = [];
    let last = 0;
    const before = tf.memory().numBytes;
    const watch = watchPeakTensorBytes();
    await detector.tunePrompt(examples, prompt, { steps: 6, batchSize: BATCH_SIZE }, () => {
      const now = performance.now();
      if (last > 0) stepTimes.push(now - last);
      last = now;
    });
    watch.stop();
    return {
      backend,
      inferenceMs: percentile(inferenceMs, 50),
      inferencePeakBytes,
      tuningStepMs: percentile(stepTimes, 50),
      tuningPeakBytes: watch.peak() - before,
      batchSize: BATCH_SIZE,
    };
  } finally {
    detector.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'models/glip-nano' },
      backend: { type: 'string', default: 'wasm' },
      shots: { type: 'string', default: '1,5,10' },
      'taught-shots': { type: 'string', default: '5' },
      steps: { type: 'string', default: '40' },
      pool: { type: 'string', default: '60' },
      test: { type: 'string', default: '60' },
      seed: { type: 'string', default: '21' },
      out: { type: 'string', default: 'tools/bench/out/few-shot' },
      md: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const backend = values.backend as BackendKind;
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend ${backend}: wasm or cpu (Dawn's SwiftShader in Node is far too slow for tuning runs)`);
  const shots = values.shots.split(',').map(Number);
  const [steps, poolCount, testCount, seed] = [values.steps, values.pool, values.test, values.seed].map(Number);
  const out = values.out;
  mkdirSync(out, { recursive: true });
  const pool = writeFewShotSet(out, 'train', poolCount, seed);
  const testNovel = writeFewShotSet(out, 'test-novel', testCount, seed);
  const testOld = writeFewShotSet(out, 'test-old', testCount, seed);
  console.error(`data: ${poolCount} pool scenes, ${testCount} + ${testCount} test scenes in ${out}`);

  const rows: FewShotRow[] = [];
  const losses = new Map<number, number[]>();
  const row = async (k: number, taughtPhrasesOnly: boolean, trainingImages: number, tuned: string | undefined, curve: number[]) => {
    const novel = await evalAp(values.model, testNovel, backend, tuned);
    const old = await evalAp(values.model, testOld, backend, tuned);
    rows.push({ shots: k, taughtPhrasesOnly, trainingImages, novelAp50: novel.ap50, novelAp: novel.ap, oldAp50: old.ap50, oldAp: old.ap, steps: curve.length, firstLoss: curve[0] ?? null, lastLoss: curve.at(-1) ?? null });
    console.error(`${k === 0 ? 'zero-shot' : `${k} shots${taughtPhrasesOnly ? ', taught rows only' : ''}`}: novel AP50 ${novel.ap50.toFixed(3)}, old AP50 ${old.ap50.toFixed(3)}`);
  };
  const tune = async (k: number, taughtPhrasesOnly: boolean) => {
    const file = join(out, `${k}-shot${taughtPhrasesOnly ? '-taught' : ''}.tuned-prompt.json`);
    const run = await webglip([
      'tune', '--model', values.model, '--data', pool, '--out', file, '--shots', String(k), '--steps', String(steps), '--batch-size', String(BATCH_SIZE), '--backend', backend,
      ...(taughtPhrasesOnly ? ['--taught-phrases-only'] : []),
    ]);
    const curve = tuneLosses(run.stderr);
    if (!taughtPhrasesOnly) losses.set(k, curve);
    await row(k, taughtPhrasesOnly, Number(/training set: (\d+) image/u.exec(run.stderr)?.[1]), file, curve);
  };
  await row(0, false, 0, undefined, []);
  for (const k of shots) await tune(k, false);
  const taughtShots = Number(values['taught-shots']);
  if (taughtShots > 0) await tune(taughtShots, true);

  const convergenceShots = shots.includes(5) ? 5 : shots[0];
  const cost = await measureCost(values.model, backend, pool, testNovel, convergenceShots);
  const curve = losses.get(convergenceShots)!;
  const step = convergenceStep(curve);
  const report = fewShotMarkdown(rows, { ...cost, convergence: { shots: convergenceShots, step, ms: step * cost.tuningStepMs } });
  const header = `Few-shot prompt tuning, ${values.model} on ${backend}: pool ${poolCount}, test ${testCount} + ${testCount} scenes, seed ${seed}, ${steps} steps of ${BATCH_SIZE} per run.\n\n`;
  console.log(header + report);
  writeFileSync(join(out, 'report.json'), JSON.stringify({ rows, cost, losses: Object.fromEntries(losses) }, null, 2));
  if (values.md) writeFileSync(values.md, `${header}${report}\n`);
  return 0;
}
