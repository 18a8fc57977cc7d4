// The stage times of one `detect` for stderr, truthful about caches: the detector reports 0 ms for a
// stage a cache served, so whether a stage ran is read from its counters, and a cached stage says so.
import type { DetectorCounters } from '@webglip/core/engine';

const STAGE_COUNTERS: Record<string, keyof DetectorCounters> = { text: 'textRuns', backbone: 'backboneRuns', head: 'detectRuns' };

/** `before` is the detector's counters before the call; `after` and `timings` its counters and lastTimings after it. */
export function describeStageTimings(before: DetectorCounters, after: DetectorCounters, timings: Record<string, number>): string {
  return Object.entries(STAGE_COUNTERS).map(([stage, counter]) => {
    if (after[counter] === before[counter]) return `${stage} cached`;
    return `${stage} ${timings[stage].toFixed(0)} ms`;
  }).join(', ');
}
