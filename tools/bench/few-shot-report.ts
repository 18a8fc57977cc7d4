// The few-shot benchmark's arithmetic and its table (tools/bench/few-shot.ts runs it): the loss curve read
// from `webglip tune`'s step lines, where that curve converges, and the markdown report.
import { round } from './stats.ts';

/** `webglip tune`'s per-step line: "step 3/40: loss 2.9175 (token …)". */
const STEP_LINE = /^step (\d+)\/(\d+): loss (\S+) /u;

/** The loss of every step, in step order, from `webglip tune`'s stderr. */
export function tuneLosses(stderr: string): number[] {
  const losses: number[] = [];
  for (const line of stderr.split('\n')) {
    const m = STEP_LINE.exec(line.trim());
    if (!m) continue;
    if (Number(m[1]) !== losses.length + 1) throw new Error(`webglip tune printed step ${m[1]} after step ${losses.length}`);
    losses.push(Number(m[3]));
  }
  return losses;
}

/**
 * The first step (1-based) whose `window`-step running mean of the loss is within `tolerance` (relative)
 * of the last `window` steps' mean: the run's "converged by" step. A run shorter than two windows
 * gives its last step (too short to tell).
 */
export function convergenceStep(losses: readonly number[], window = 5, tolerance = 0.05): number {
  if (losses.length < 2 * window) return losses.length;
  const mean = (from: number, to: number) => losses.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
  const final = mean(losses.length - window, losses.length);
  for (let end = window; end <= losses.length; end++) if (mean(end - window, end) <= final * (1 + tolerance)) return end;
  return losses.length;
}

export interface FewShotRow {
  /** 0: zero-shot, the untuned prompt. */
  shots: number;
  /** Tuned with only the taught phrases' offset rows (TuneOptions.taughtPhrasesOnly). */
  taughtPhrasesOnly: boolean;
  trainingImages: number;
  novelAp50: number;
  novelAp: number;
  oldAp50: number;
  oldAp: number;
  /** Tuning steps run; their first and last losses. */
  steps: number;
  firstLoss: number | null;
  lastLoss: number | null;
}

export interface FewShotCost {
  backend: string;
  inferenceMs: number;
  inferencePeakBytes: number;
  tuningStepMs: number;
  tuningPeakBytes: number;
  batchSize: number;
  /** The 5-shot run (or the one asked for): its convergence step and time. */
  convergence: { shots: number; step: number; ms: number } | null;
}

const ap = (x: number) => x.toFixed(3);
const mb = (bytes: number) => `${round(bytes / 2 ** 20, 1)} MiB`;

export function fewShotMarkdown(rows: readonly FewShotRow[], cost: FewShotCost): string {
  const zero = rows.find((r) => r.shots === 0);
  const lines = [
    '| shots | training images | novel AP50 (Δ) | novel AP | old AP50 (Δ) | old AP | steps | loss first → last |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const delta = (x: number, z: number | undefined) => (r.shots === 0 || z === undefined ? '' : ` (${x - z >= 0 ? '+' : ''}${(x - z).toFixed(3)})`);
      return `| ${r.shots === 0 ? 'zero-shot' : `${r.shots}${r.taughtPhrasesOnly ? ', taught rows only' : ''}`} | ${r.trainingImages} | ${ap(r.novelAp50)}${delta(r.novelAp50, zero?.novelAp50)} | ${ap(r.novelAp)} | ${ap(r.oldAp50)}${delta(r.oldAp50, zero?.oldAp50)} | ${ap(r.oldAp)} | ${r.steps} | ${r.firstLoss === null ? '' : `${r.firstLoss.toFixed(3)} → ${r.lastLoss!.toFixed(3)}`} |`;
    }),
    '',
    `Cost on ${cost.backend}, as ratios to one inference (${round(cost.inferenceMs, 0)} ms, peak ${mb(cost.inferencePeakBytes)} of tensors):`,
    `one tuning step of ${cost.batchSize} examples ${round(cost.tuningStepMs / cost.inferenceMs, 2)}× the time (${round(cost.tuningStepMs, 0)} ms), ` +
      `a tuning run's peak tensor memory ${round(cost.tuningPeakBytes / cost.inferencePeakBytes, 2)}× (${mb(cost.tuningPeakBytes)})` +
      (cost.convergence === null
        ? '.'
        : `; the ${cost.convergence.shots}-shot run converged by step ${cost.convergence.step} (5-step mean within 5 % of the last 5), ` +
          `${round(cost.convergence.ms / cost.inferenceMs, 1)}× one inference (${round(cost.convergence.ms / 1000, 1)} s).`),
  ];
  return lines.join('\n');
}
