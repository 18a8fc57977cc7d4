// `webglip parity <case-dir> [--backend cpu|wasm|webgpu] [--from png|input|both] [--runs a,b] [--tokenizer FILE]`:
// runs our whole GLIP inference on a golden fixture case (official-format model.pth, config.yaml,
// case.json, image.png, tensors.safetensors) and compares every captured stage with the official
// tensors. Each run of case.json starts once from image.png (our preprocessing) and once from the
// captured `image.input` (separates resize differences from model differences); the text starts from
// the caption through our tokenizer and prompt builder. Prints a table (stage, max abs err, max rel err,
// tolerance, pass), then the final detections beside the official ones. Exit code 1 on any failure.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { DEFAULT_TOKENIZER_JSON, loadCheckpointWeights } from '@webglip/convert/node.ts';
import type { GlipConfig } from '@webglip/core/engine';
import { decodeDetections, type GlipModel, headOutputs, type ImageFeatures, imageFeatures, type LanguageFeatures, languageFeatures, visualBackbone } from '@webglip/core/engine';
import { runSteps, type Stage } from '@webglip/core/engine';
import type { PostprocessResult } from '@webglip/core/engine';
import type { BoxSet, Detection } from '@webglip/core/engine';
import { phraseScores } from '@webglip/core/engine';
import type { BackendKind } from '@webglip/core/engine';
import { createBackend } from '@webglip/core/engine';
import { type EncodedPrompt, encodePrompt } from '@webglip/core/engine';
import { BertTokenizer } from '@webglip/core/engine';
import { matchBoxSets } from '@webglip/core/testing';
import { FPN_LEVELS as LEVELS, fixtureNames } from '@webglip/core/testing';
import { caseConfig, caseJson, caseTensors } from '@webglip/core/testing';
import { compareArrays, compareWithFixture, fixtureTensor } from '@webglip/core/testing';
import type { SafetensorsFile } from '@webglip/core/engine';
import type { WeightMap } from '@webglip/core/engine';

const USAGE = `usage: webglip parity <case-dir> [options]
  <case-dir>          a fixture folder: model.pth, config.yaml, case.json, image.png, tensors.safetensors
  --backend B         cpu, wasm or webgpu (default webgpu; no fallback: a parity run tests one backend)
  --from S            png, input or both (default both): start from image.png or the captured image.input
  --runs A,B          only these runs of case.json (default all)
  --tokenizer FILE    tokenizer.json (default: models/bert-base-uncased/tokenizer.json)`;

/** Boxes of candidate / NMS sets: px and score tolerance when matching a box to the official one. */
const SET_BOX_TOL = 1e-2;
const SET_SCORE_TOL = 1e-4;
/** Final thresholded detections: identical labels and order, boxes within this many px. */
const FINAL_BOX_TOL = 1e-3;
const FINAL_SCORE_TOL = 1e-4;
/** A phrase score this close to INFERENCE_TH may legitimately fall on the other side in f32. */
const THRESHOLD_MARGIN = 1e-4;

interface RunJson {
  name: string;
  caption_string_given_to_model: string;
  phrases: string[];
  tokens_positive_char_spans: [number, number][][];
  demo_threshold: number;
  decision_margins?: {
    per_level?: Record<string, { PRE_NMS_TOP_N_applied?: boolean }>;
    NMS_TH?: { 'n_decisions_within_1e-4'?: number; min_score_gap_suppressor_vs_suppressed?: number };
    DETECTIONS_PER_IMG?: { gap_between_rank_100_and_101?: number };
  };
}

interface Row {
  stage: string;
  maxAbs: number;
  maxRel: number;
  tolerance: number;
  pass: boolean;
  note?: string;
}

interface TextFeatures extends LanguageFeatures {
  run: RunJson;
  encoded: EncodedPrompt;
}

class ParityRun {
  readonly rows: Row[] = [];
  readonly model: GlipModel;
  private readonly names: Set<string>;

  constructor(
    readonly f: SafetensorsFile,
    readonly w: WeightMap,
    readonly cfg: GlipConfig,
  ) {
    this.names = new Set(f.names());
    this.model = { config: cfg, weights: w };
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  push(row: Row): void {
    this.rows.push(row);
    const mark = row.pass ? 'ok  ' : 'FAIL';
    console.error(`${mark} ${row.stage}`);
  }

  /** Compares a tensor with a captured one, if the case has it (NHWC vs NCHW when `nchw`). */
  async tensor(stage: string, t: tf.Tensor, ref: string, nchw = false): Promise<void> {
    if (this.has(ref)) this.push(await compareWithFixture(stage, t, this.f, ref, nchw));
  }

  /**
   * An observer for runSteps that compares each stage tensor the case captured (labelled `tag: name`),
   * on a copy (the pass disposes its stage tensors); `settled()` waits for the comparisons.
   */
  observer(tag: string, run: string): { observe: (stage: Stage) => void; settled: () => Promise<void> } {
    const pending: Promise<void>[] = [];
    const observe = (stage: Stage) => {
      fixtureNames(stage, run, this.cfg.backbone.kind).forEach((ref, i) => {
        if (ref === null || !this.has(ref.name)) return;
        const copy = stage.tensors[i].clone();
        pending.push(this.tensor(`${tag}: ${ref.name}`, copy, ref.name, ref.nchw).finally(() => copy.dispose()));
      });
    };
    return { observe, settled: async () => void (await Promise.all(pending)) };
  }
}

async function encodeText(p: ParityRun, tokenizer: BertTokenizer, run: RunJson): Promise<TextFeatures> {
  const prompt = {
    caption: run.caption_string_given_to_model,
    phrases: run.phrases.map((text, j) => ({ text, charSpan: run.tokens_positive_char_spans[j][0] })),
  };
  const encoded = encodePrompt(tokenizer, prompt, p.cfg.text.maxQueryLen);
  const t = encoded.inputIds.length;
  const ids = `${run.name}/tokens.input_ids`;
  if (p.has(ids)) p.push(compareArrays(`${run.name}/tokens.input_ids (exact)`, encoded.inputIds, p.f.get(ids).data.subarray(0, t), 0));
  const posMap = `${run.name}/positive_map`;
  if (p.has(posMap)) {
    const ref = p.f.get(posMap);
    const width = ref.shape[1];
    const refRows = new Float32Array(encoded.phrases.length * t);
    for (let j = 0; j < encoded.phrases.length; j++) refRows.set((ref.data as Float32Array).subarray(j * width, j * width + t), j * t);
    p.push(compareArrays(`${run.name}/positive_map`, encoded.positiveMap, refRows));
  }
  const { observe, settled } = p.observer('text', run.name);
  const lang = runSteps(languageFeatures(p.model, encoded.inputIds), observe);
  await settled();
  await p.tensor(`text: ${run.name}/lang.hidden`, lang.hidden, `${run.name}/lang.hidden`);
  return { run, encoded, ...lang };
}

async function encodeImage(p: ParityRun, caseDir: string, source: 'png' | 'input'): Promise<ImageFeatures> {
  const f = p.f;
  const { observe, settled } = p.observer(source, '');
  let image: ImageFeatures;
  if (source === 'png') {
    const png = PNG.sync.read(readFileSync(resolve(caseDir, 'image.png')));
    // GLIPDemo resizes the shorter side only (no MAX_SIZE cap).
    image = runSteps(imageFeatures(p.model, { data: png.data, width: png.width, height: png.height }, null), observe);
    const [h, w] = Array.from(f.get('image.image_sizes').data);
    const sizesMatch = image.imageSize.height === h && image.imageSize.width === w;
    p.push({ stage: 'png: resized size = image.image_sizes', maxAbs: sizesMatch ? 0 : Infinity, maxRel: 0, tolerance: 0, pass: sizesMatch });
  } else {
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const levels = runSteps(visualBackbone(p.model, input), observe);
    input.dispose();
    const [h, w] = Array.from(f.get('image.image_sizes').data);
    const [oh, ow] = Array.from(f.get('image.original_hw').data);
    image = { levels, imageSize: { height: h, width: w }, originalSize: { height: oh, width: ow } };
  }
  await settled();
  return image;
}

function refSet(f: SafetensorsFile, prefix: string): BoxSet {
  return {
    boxes: f.get(`${prefix}.boxes`).data as Float32Array,
    scores: f.get(`${prefix}.scores`).data as Float32Array,
    labels: Int32Array.from(f.get(`${prefix}.labels`).data),
  };
}

/** How our candidate set of one level differs from the official one (keys anchor·P + phrase). */
export interface CandidateSetDiff {
  /** More than PRE_NMS_TOP_N (anchor, phrase) pairs passed INFERENCE_TH, so the cap chose among them. */
  capped: boolean;
  onlyOurs: number[];
  onlyOfficial: number[];
  /** Differences not explained by a phrase score or a ranking key within THRESHOLD_MARGIN of its cut. */
  unexplained: number[];
}

/**
 * The official candidates of one level are the pairs whose phrase score `agg` `[A, P]` exceeds INFERENCE_TH,
 * and where more than PRE_NMS_TOP_N do, the top PRE_NMS_TOP_N of them by the official ranking key
 * agg · sigmoid(centerness) (`centerness` `[A]` logits). A pair may legitimately be on the other side of a
 * cut (the threshold, or the key of the last kept pair) when its value lies within THRESHOLD_MARGIN of it.
 */
export function candidateSetDiff(ours: Set<number>, agg: Float32Array, centerness: Float32Array, numPhrases: number, th: number, topN: number): CandidateSetDiff {
  const above = [...agg.keys()].filter((i) => agg[i] > th);
  const key = (i: number): number => agg[i] / (1 + Math.exp(-centerness[Math.floor(i / numPhrases)]));
  const capped = above.length > topN;
  const kept = capped ? above.sort((a, b) => key(b) - key(a)).slice(0, topN) : above;
  const official = new Set(kept);
  const onlyOurs = [...ours].filter((i) => !official.has(i));
  const onlyOfficial = kept.filter((i) => !ours.has(i));
  const nearTh = (i: number): boolean => Math.abs(agg[i] - th) <= THRESHOLD_MARGIN;
  // At the cap: a kept pair may drop out if the first pair cut ties it, a cut pair may come in if it ties the last kept.
  const lastKept = capped ? key(kept[topN - 1]) : Infinity;
  const firstCut = capped ? key(above[topN]) : -Infinity;
  const unexplained = [
    ...onlyOurs.filter((i) => !nearTh(i) && !(agg[i] > th && lastKept - key(i) <= THRESHOLD_MARGIN)),
    ...onlyOfficial.filter((i) => !nearTh(i) && !(key(i) - firstCut <= THRESHOLD_MARGIN)),
  ];
  return { capped, onlyOurs, onlyOfficial, unexplained };
}

/**
 * Candidates of one level as a set: membership may differ only for (anchor, phrase) pairs near a cut
 * (candidateSetDiff); matched boxes/scores within the set tolerances. Returns how many candidates
 * legitimately differ.
 */
function compareCandidates(p: ParityRun, stage: string, run: RunJson, level: number, result: PostprocessResult, numPhrases: number): number {
  const prefix = `${run.name}/post.candidates.${LEVELS[level]}`;
  const aggName = `${run.name}/post.scores_agg.${LEVELS[level]}`;
  const ctrName = `${run.name}/head.centerness.${LEVELS[level]}`;
  if (!p.has(`${prefix}.boxes`) || !p.has(aggName) || !p.has(ctrName)) return 0;
  const got = result.candidates[level];
  const ref = refSet(p.f, prefix);
  const agg = p.f.get(aggName).data as Float32Array; // [A, P]
  const centerness = p.f.get(ctrName).data as Float32Array; // [1, 1, H, W] = [A] logits
  const ours = new Set(Array.from(got.anchorIndices, (a, i) => a * numPhrases + got.labels[i] - 1));
  const d = candidateSetDiff(ours, agg, centerness, numPhrases, p.cfg.postprocess.inferenceTh, p.cfg.postprocess.preNmsTopN);
  const m = matchBoxSets(got, ref, SET_BOX_TOL, SET_SCORE_TOL);
  const pass = d.unexplained.length === 0 && m.unmatchedGot.length <= d.onlyOurs.length && m.unmatchedRef.length <= d.onlyOfficial.length;
  p.push({
    stage,
    maxAbs: m.maxBoxErr,
    maxRel: m.maxScoreErr,
    tolerance: SET_BOX_TOL,
    pass,
    note: `${m.matched}/${ref.scores.length} matched${d.capped ? ' (PRE_NMS_TOP_N cap)' : ''}; ${d.onlyOurs.length}+${d.onlyOfficial.length} differ near a cut; abs = box px, rel = score`,
  });
  return d.onlyOurs.length + d.onlyOfficial.length;
}

function compareAfterNms(p: ParityRun, stage: string, run: RunJson, result: PostprocessResult, candidateDiffs: number): void {
  const prefix = `${run.name}/post.after_nms`;
  if (!p.has(`${prefix}.boxes`)) return;
  const ref = refSet(p.f, prefix);
  const m = matchBoxSets(result.afterNms, ref, SET_BOX_TOL, SET_SCORE_TOL);
  const nms = run.decision_margins?.NMS_TH;
  const nearNms = nms?.['n_decisions_within_1e-4'] ?? 0;
  const scoreFlip = (nms?.min_score_gap_suppressor_vs_suppressed ?? 1) < 1e-5 ? 2 : 0;
  const cutGap = run.decision_margins?.DETECTIONS_PER_IMG?.gap_between_rank_100_and_101;
  const cut = cutGap !== undefined && cutGap < 1e-4 ? 2 : 0;
  const allowed = candidateDiffs + nearNms + scoreFlip + cut;
  const unmatched = m.unmatchedGot.length + m.unmatchedRef.length;
  p.push({
    stage,
    maxAbs: m.maxBoxErr,
    maxRel: m.maxScoreErr,
    tolerance: SET_BOX_TOL,
    pass: unmatched <= allowed,
    note: `${m.matched}/${ref.scores.length} matched; ${unmatched} unmatched (margins allow ${allowed})`,
  });
}

function compareFinal(p: ParityRun, stage: string, run: RunJson, detections: Detection[]): BoxSet | undefined {
  const prefix = `${run.name}/final.thresholded`;
  if (!p.has(`${prefix}.boxes`)) return undefined;
  const ref = refSet(p.f, prefix);
  let maxBox = detections.length === ref.scores.length ? 0 : Infinity;
  let maxScore = 0;
  let labelsOk = detections.length === ref.scores.length;
  detections.forEach((d, i) => {
    if (i >= ref.scores.length) return;
    if (d.phrase !== run.phrases[ref.labels[i] - 1]) labelsOk = false;
    for (let c = 0; c < 4; c++) maxBox = Math.max(maxBox, Math.abs(d.box[c] - ref.boxes[4 * i + c]));
    maxScore = Math.max(maxScore, Math.abs(d.score - ref.scores[i]));
  });
  p.push({
    stage,
    maxAbs: maxBox,
    maxRel: maxScore,
    tolerance: FINAL_BOX_TOL,
    pass: labelsOk && maxBox <= FINAL_BOX_TOL && maxScore <= FINAL_SCORE_TOL,
    note: `${detections.length}/${ref.scores.length} detections, labels ${labelsOk ? 'identical' : 'DIFFER'}; abs = box px, rel = score`,
  });
  return ref;
}

async function headAndPost(p: ParityRun, source: string, image: ImageFeatures, text: TextFeatures): Promise<{ detections: Detection[]; ref?: BoxSet }> {
  const run = text.run;
  const tag = `${source}: ${run.name}`;
  const { observe, settled } = p.observer(tag, run.name);
  const head = runSteps(headOutputs(p.model, image, text), observe);
  await settled();
  for (const [i, l] of LEVELS.entries()) {
    const scores = phraseScores(head.logits[i], text.encoded.phrases);
    await p.tensor(`${tag}: ${run.name}/post.scores_agg.${l}`, scores, `${run.name}/post.scores_agg.${l}`);
    scores.dispose();
  }
  const result = await decodeDetections(p.cfg, head, text.encoded.phrases, image, run.demo_threshold);
  let candidateDiffs = 0;
  for (let l = 0; l < LEVELS.length; l++) {
    candidateDiffs += compareCandidates(p, `${tag}/post.candidates.${LEVELS[l]} (set)`, run, l, result, text.encoded.phrases.length);
  }
  compareAfterNms(p, `${tag}/post.after_nms (set)`, run, result, candidateDiffs);
  const ref = compareFinal(p, `${tag}/final.thresholded`, run, result.detections);
  return { detections: result.detections, ref };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

function printTable(rows: Row[]): void {
  const width = Math.max(5, ...rows.map((r) => r.stage.length));
  console.log(`${'stage'.padEnd(width)}  ${'max abs'.padStart(9)}  ${'max rel'.padStart(9)}  ${'tolerance'.padStart(9)}  pass`);
  for (const r of rows) {
    const line = `${r.stage.padEnd(width)}  ${fmt(r.maxAbs).padStart(9)}  ${fmt(r.maxRel).padStart(9)}  ${fmt(r.tolerance).padStart(9)}  ${r.pass ? 'ok' : 'FAIL'}`;
    console.log(r.note ? `${line}  (${r.note})` : line);
  }
}

function printDetections(title: string, ours: Detection[], ref: BoxSet | undefined, phrases: string[]): void {
  console.log(`\n${title}: final detections, ours | official`);
  const n = Math.max(ours.length, ref?.scores.length ?? 0);
  const box = (b: ArrayLike<number>) => Array.from(b, (v) => v.toFixed(4).padStart(9)).join(' ');
  for (let i = 0; i < n; i++) {
    const d = ours[i];
    const left = d ? `${d.phrase.padEnd(18)} ${d.score.toFixed(6)} ${box(d.box)}` : '-'.padEnd(67);
    const right = ref && i < ref.scores.length ? `${phrases[ref.labels[i] - 1].padEnd(18)} ${ref.scores[i].toFixed(6)} ${box(ref.boxes.subarray(4 * i, 4 * i + 4))}` : '-';
    console.log(`${String(i).padStart(3)}  ${left} | ${right}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { backend: { type: 'string', default: 'webgpu' }, from: { type: 'string', default: 'both' }, runs: { type: 'string' }, tokenizer: { type: 'string' } },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const caseDir = positionals[0];
  const backend = values.backend as BackendKind;
  const from = values.from;
  const sources: ('png' | 'input')[] = from === 'both' ? ['png', 'input'] : from === 'png' || from === 'input' ? [from] : [];
  if (!caseDir || positionals.length > 1 || (backend !== 'cpu' && backend !== 'wasm' && backend !== 'webgpu') || sources.length === 0) {
    console.error(USAGE);
    return 2;
  }
  for (const file of ['model.pth', 'config.yaml', 'case.json', 'image.png', 'tensors.safetensors']) {
    if (!existsSync(resolve(caseDir, file))) {
      console.error(`${caseDir} is not a fixture case folder: ${file} is missing`);
      return 2;
    }
  }

  const selection = await createBackend(backend);
  if (selection.kind !== backend) {
    console.error(`backend ${backend} is not available here: ${selection.fallbackReasons.join('; ')}`);
    return 2;
  }
  const cfg = caseConfig(caseDir);
  const runs = (caseJson(caseDir).runs as RunJson[]).filter((r) => !values.runs || values.runs.split(',').includes(r.name));
  const w = await loadCheckpointWeights(resolve(caseDir, 'model.pth'));
  const tokenizer = BertTokenizer.fromJson(readFileSync(values.tokenizer ?? DEFAULT_TOKENIZER_JSON, 'utf8'));
  const p = new ParityRun(caseTensors(caseDir), w, cfg);
  const finals: { title: string; ours: Detection[]; ref?: BoxSet; phrases: string[] }[] = [];
  try {
    const texts: TextFeatures[] = [];
    for (const r of runs) texts.push(await encodeText(p, tokenizer, r));
    for (const source of sources) {
      const image = await encodeImage(p, caseDir, source);
      for (const text of texts) {
        const { detections, ref } = await headAndPost(p, source, image, text);
        finals.push({ title: `${source}: ${text.run.name}`, ours: detections, ref, phrases: text.run.phrases });
      }
      tf.dispose(image.levels);
    }
    for (const t of texts) tf.dispose([t.hidden, t.mask]);
  } finally {
    w.dispose();
    tokenizer.dispose();
  }

  console.log(`webglip parity ${caseDir} on ${backend}\n`);
  printTable(p.rows);
  for (const f of finals) printDetections(f.title, f.ours, f.ref, f.phrases);
  const failed = p.rows.filter((r) => !r.pass).length;
  console.log(`\n${p.rows.length - failed}/${p.rows.length} stages pass${failed ? `; ${failed} FAIL` : ''}`);
  return failed ? 1 : 0;
}
