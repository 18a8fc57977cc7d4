// End-to-end benchmark of one model in one kernel mode (fused WGSL on or off), on a fresh backend:
// model load, shader compile (GlipDetector.precompile, what GlipDetector.load does), first and steady
// inference through GlipDetector, prompt-only and image-only re-runs (the detector's caches), a
// per-stage profile and an op profile per stage, peak memory, and tensors / GPU bytes alive before
// and after many runs.
import * as tf from '@tensorflow/tfjs';
import { GlipDetector, IMAGE_CACHE_SIZE, PROMPT_CACHE_SIZE } from '@webglip/core/engine';
import { setFusedKernels } from '@webglip/core/engine';
import type { BackendKind } from '@webglip/core/engine';
import { encodePrompt } from '@webglip/core/engine';
import type { MemoryFigures } from './gpu.ts';
import { tfjsPipelineCount } from '@webglip/core/engine';
import { freshBackend, memoryFigures, settle, timed } from './gpu.ts';
import type { BenchModel } from './models.ts';
import type { StageOps } from './op-profile.ts';
import { opProfilingStage } from './op-profile.ts';
import { stagedInference, timingStage } from './staged-inference.ts';
import type { Summary } from './stats.ts';
import { percentile, round, summarize } from './stats.ts';
import { distinctImage, distinctPrompt } from './workload.ts';

export interface ModeOptions {
  backend: BackendKind;
  fused: boolean;
  /** Run the detector's load-time compile pass (otherwise the first inference compiles). */
  precompile: boolean;
  steadyRuns: number;
  /** Re-runs with a cached image / cached prompt; 0 skips them. */
  rerunRuns: number;
  /** Staged (per-stage) runs; 0 skips the profile. */
  stageRuns: number;
  /** Extra full runs for the leak check; 0 skips it. */
  leakRuns: number;
}

export interface ModeResult {
  fused: boolean;
  precompiled: boolean;
  loadMs: number;
  /** The load-time compile pass (null without precompile), and the tfjs pipelines it compiled. */
  compileMs: number | null;
  pipelinesAtLoad: number;
  /** Pipelines after all runs: more than at load means some compiled lazily during inference. */
  pipelinesAfterRuns: number;
  firstMs: number;
  steady: Summary;
  promptOnly: Summary | null;
  imageOnly: Summary | null;
  /** Median ms per stage over the staged runs (each stage followed by a GPU wait). */
  stagesMs: Record<string, number>;
  /** Ops and kernel times per stage from one more staged run under tf.profile (op-profile.ts); empty without staged runs. */
  opsByStage: Record<string, StageOps>;
  /** Bytes of the weights as loaded (f32) and as held after the first inference (prepared layouts: f16 pairs where stored f16 and fused kernels read them). */
  weightBytes: { loaded: number; held: number };
  /** Peak bytes of live tensors during one full inference (tf.profile). */
  peakTensorBytes: number;
  /** GPU bytes tfjs holds after the runs (its buffer pool included). */
  gpuBytesAllocated: number;
  detections: number;
  /** Memory before and after the leak runs; `growthRuns`: the runs (1-based) after which tfjs held more GPU bytes than ever before. */
  leak: { runs: number; before: MemoryFigures; after: MemoryFigures; growthRuns: number[] } | null;
}

/**
 * One mode's options: fused is the product's path (load-time compile pass, re-runs, leak check); plain is its
 * reference (first, steady and staged runs only, compiling lazily).
 */
export function modeOptions(base: Omit<ModeOptions, 'fused' | 'precompile'>, fused: boolean): ModeOptions {
  return fused ? { ...base, fused, precompile: true } : { ...base, fused, precompile: false, rerunRuns: 0, leakRuns: 0 };
}

export async function benchMode(model: BenchModel, opts: ModeOptions, log: (line: string) => void): Promise<ModeResult> {
  await freshBackend(opts.backend);
  setFusedKernels(opts.fused);
  const label = `${model.name} ${opts.backend === 'webgpu' ? '' : `${opts.backend} `}${opts.fused ? 'fused' : 'plain'}`;
  const load = await timed(() => model.loadWeights());
  const weights = load.value;
  const loadedBytes = weights.heldBytes;
  log(`${label}: loaded in ${round(load.ms)} ms`);
  const tokenizer = model.makeTokenizer();
  const detector = new GlipDetector(model.config, weights, tokenizer, model.maxImageSize);
  let k = 1000;
  const encode = (i: number) => encodePrompt(tokenizer, distinctPrompt(i), model.config.text.maxQueryLen);
  try {
    let compileMs: number | null = null;
    if (opts.precompile) {
      let quarter = 0;
      const progress = (compiled: number, total: number) => {
        if (compiled === total || compiled >= ((quarter + 1) * total) / 4) log(`${label}: compile ${compiled}/${total} (${++quarter}/4)`);
      };
      compileMs = (await timed(() => detector.precompile(progress))).ms;
      log(`${label}: compile pass ${round(compileMs)} ms, ${tfjsPipelineCount()} tfjs pipelines`);
    }
    const pipelinesAtLoad = tfjsPipelineCount();

    const full = async () => {
      k++;
      return detector.detect(distinctImage(model.image, k), distinctPrompt(k), { threshold: 0 });
    };
    const first = await timed(full);
    const weightBytes = { loaded: loadedBytes, held: weights.heldBytes };
    log(`${label}: first inference ${round(first.ms)} ms (${first.value.length} detections); weights ${weightBytes.loaded} B as loaded, ${weightBytes.held} B held`);
    const steadySamples: number[] = [];
    for (let i = 0; i < opts.steadyRuns; i++) steadySamples.push((await timed(full)).ms);
    log(`${label}: steady p50 ${round(percentile(steadySamples, 50))} ms over ${opts.steadyRuns}`);

    let promptOnly: Summary | null = null;
    let imageOnly: Summary | null = null;
    if (opts.rerunRuns > 0) {
      const image = distinctImage(model.image, 1);
      const prompt = distinctPrompt(1);
      await detector.detect(image, prompt, { threshold: 0 }); // caches both
      const p: number[] = [];
      const im: number[] = [];
      for (let i = 0; i < opts.rerunRuns; i++) {
        k++;
        const before = { ...detector.counters };
        p.push((await timed(() => detector.detect(image, distinctPrompt(k), { threshold: 0 }))).ms);
        if (detector.counters.backboneRuns !== before.backboneRuns) throw new Error('prompt-only re-run ran the backbone: image cache missed');
        im.push((await timed(() => detector.detect(distinctImage(model.image, k), prompt, { threshold: 0 }))).ms);
        if (detector.counters.textRuns !== before.textRuns + 1) throw new Error('image-only re-run ran BERT: prompt cache missed');
      }
      promptOnly = summarize(p);
      imageOnly = summarize(im);
      log(`${label}: prompt-only p50 ${promptOnly.p50} ms, image-only p50 ${imageOnly.p50} ms`);
    }

    const stageSamples = new Map<string, number[]>();
    for (let i = 0; i < opts.stageRuns; i++) {
      const times = new Map<string, number>();
      const input = { model: { weights, config: model.config }, image: distinctImage(model.image, ++k), maxImageSize: model.maxImageSize, prompt: encode(k) };
      await stagedInference(input, timingStage(times));
      for (const [name, ms] of times) stageSamples.set(name, [...(stageSamples.get(name) ?? []), ms]);
    }
    const stagesMs = Object.fromEntries([...stageSamples].map(([name, s]) => [name, round(percentile(s, 50))]));
    if (opts.stageRuns > 0) log(`${label}: stages ${JSON.stringify(stagesMs)}`);
    const opsByStage = new Map<string, StageOps>();
    if (opts.stageRuns > 0) {
      const input = { model: { weights, config: model.config }, image: distinctImage(model.image, ++k), maxImageSize: model.maxImageSize, prompt: encode(k) };
      await stagedInference(input, opProfilingStage(opsByStage));
      log(`${label}: op profile ${JSON.stringify(Object.fromEntries([...opsByStage].map(([s, o]) => [s, [o.ops, o.kernelMs]])))}`);
    }

    k++;
    const image = distinctImage(model.image, k);
    const prompt = distinctPrompt(k);
    const profile = await tf.profile(async () => {
      await detector.detect(image, prompt, { threshold: 0 });
    });

    let leak: ModeResult['leak'] = null;
    if (opts.leakRuns > 0) {
      // Fill both feature caches with same-shaped entries first: each run below then evicts as much as it
      // caches, so any growth is a leak and not the caches filling up.
      for (let i = 0; i < PROMPT_CACHE_SIZE; i++) await detector.encodePrompt(distinctPrompt(++k));
      for (let i = 0; i < IMAGE_CACHE_SIZE; i++) await detector.encodeImage(distinctImage(model.image, ++k));
      await settle();
      const before = memoryFigures();
      const growthRuns: number[] = [];
      let highWater = before.gpuBytesAllocated;
      for (let i = 1; i <= opts.leakRuns; i++) {
        await full();
        const held = memoryFigures().gpuBytesAllocated;
        if (held > highWater) growthRuns.push(i);
        highWater = Math.max(highWater, held);
      }
      await settle();
      leak = { runs: opts.leakRuns, before, after: memoryFigures(), growthRuns };
      log(`${label}: after ${opts.leakRuns} more runs tensors ${before.tensors} → ${leak.after.tensors}, bytes ${before.tensorBytes} → ${leak.after.tensorBytes}, ` +
        `GPU bytes held ${before.gpuBytesAllocated} → ${leak.after.gpuBytesAllocated} (new highs after runs [${growthRuns.join(', ')}])`);
    }
    return {
      fused: opts.fused,
      precompiled: opts.precompile,
      loadMs: round(load.ms),
      compileMs: compileMs === null ? null : round(compileMs),
      pipelinesAtLoad,
      pipelinesAfterRuns: tfjsPipelineCount(),
      firstMs: round(first.ms),
      steady: summarize(steadySamples),
      promptOnly,
      imageOnly,
      stagesMs,
      opsByStage: Object.fromEntries(opsByStage),
      weightBytes,
      peakTensorBytes: profile.peakBytes,
      gpuBytesAllocated: memoryFigures().gpuBytesAllocated,
      detections: first.value.length,
      leak,
    };
  } finally {
    detector.dispose();
    setFusedKernels(true);
  }
}
