// The widget's status line while a long vocabulary runs in chunks: chunk i of k, worded as the demo
// words it; nothing for a vocabulary that fits the model's window in one chunk.
import type { ChunkProgress } from '@webglip/core/client';

export function chunkStatus(p: ChunkProgress): string | null {
  if (p.total <= 1) return null;
  return p.done < p.total ? `Detecting: chunk ${p.done} of ${p.total} done…` : `Detected in ${p.total} chunks: chunk ${p.done} of ${p.total} done.`;
}
