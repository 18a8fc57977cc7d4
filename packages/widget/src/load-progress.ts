// Loading progress in words and as a bar, from the engine's typed LoadProgress (manifest, shard
// download with bytes, decode, pipeline compile, done): what the widget's status line shows while its
// model loads, worded as the demo's status line.
import type { LoadProgress } from '@webglip/core/client';

export interface LoadStatus {
  text: string;
  value: number;
  max: number;
}

const PHASE: Record<LoadProgress['phase'], string> = {
  manifest: 'Reading the manifest',
  download: 'Downloading weights',
  decode: 'Preparing weights',
  compile: 'Compiling GPU pipelines',
  done: 'Weights ready',
};

export function loadStatus(p: LoadProgress): LoadStatus {
  if (p.phase === 'compile' && p.pipelines) {
    return { text: `Compiling GPU pipelines: compile ${p.pipelines.compiled}/${p.pipelines.total}…`, value: p.pipelines.compiled, max: Math.max(1, p.pipelines.total) };
  }
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const what = p.phase === 'download' && p.fromCache ? 'Reading cached weights' : PHASE[p.phase];
  const text = `${what}${p.totalBytes ? `: ${mb(p.loadedBytes)} / ${mb(p.totalBytes)} MB` : ''}${p.shard ? ` (${p.shard})` : ''}…`;
  return { text, value: p.loadedBytes, max: Math.max(1, p.totalBytes) };
}
