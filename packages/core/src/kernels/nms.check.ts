// The GPU NMS vs the CPU one (`postprocess/nms.ts`, GLIP's ml_nms semantics) on the same sorted
// candidates: one box; boxes that do not overlap; clusters of heavily overlapping boxes with three
// labels (greedy chains, cross-label pairs); rows that are not candidates after the candidates; more
// candidates than the workgroup; glip-nano's full 2 531 rows.
import * as tf from '@tensorflow/tfjs';
import { classAwareNms } from './nms-reference.ts';
import { type CheckResult, compare, fusedCheck, seededRandom } from './check-util.ts';
import { nmsKeepMask } from './nms.ts';

const CASES: { candidates: number; padding: number; clusters: number; spread: number }[] = [
  { candidates: 1, padding: 0, clusters: 1, spread: 5 },
  { candidates: 20, padding: 5, clusters: 20, spread: 0 },
  { candidates: 60, padding: 0, clusters: 4, spread: 6 },
  { candidates: 300, padding: 200, clusters: 12, spread: 10 },
  { candidates: 700, padding: 1831, clusters: 40, spread: 12 },
];

export const nmsCheck = fusedCheck('nms', async () => {
  const random = seededRandom(21);
  const results: CheckResult[] = [];
  for (const { candidates, padding, clusters, spread } of CASES) {
    const k = candidates + padding;
    const centres = Array.from({ length: clusters }, () => [random() * 400, random() * 300]);
    const boxes = new Float32Array(4 * k);
    const labels = new Int32Array(k);
    const keys = new Float32Array(k).fill(-1);
    for (let i = 0; i < k; i++) {
      const [cx, cy] = centres[i % clusters];
      const [w, h] = [20 + random() * 30, 20 + random() * 30];
      const [x, y] = [cx + (random() - 0.5) * spread, cy + (random() - 0.5) * spread];
      boxes.set([x, y, x + w, y + h], 4 * i);
      labels[i] = 1 + Math.floor(random() * 3);
    }
    for (let i = 0; i < candidates; i++) keys[i] = 1 - i / candidates; // descending, then −1 padding
    const scores = keys.slice(0, candidates);
    const kept = classAwareNms({ boxes: boxes.slice(0, 4 * candidates), scores, labels: labels.slice(0, candidates) }, 0.6);
    const expected = new Float32Array(k);
    for (const i of kept) expected[i] = 1;
    const inputs = [tf.tensor2d(boxes, [k, 4]), tf.tensor1d(Float32Array.from(labels)), tf.tensor1d(keys)] as const;
    const name = `${candidates} candidates + ${padding} rows, ${clusters} clusters, ${kept.length} kept`;
    results.push(await compare(name, nmsKeepMask(...inputs, 0.6), tf.tensor1d(expected)));
    tf.dispose([...inputs]);
  }
  return results;
});
