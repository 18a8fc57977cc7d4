// Weights of a fixture case for tests: the case's official `model.pth`, read by our converter.
import { resolve } from 'node:path';
import { loadCheckpointWeights } from '@webglip/convert/node.ts';
import { WeightMap } from '../weights/weight-map.ts';
import { CASE_A_DIR, CASE_RESNET_DIR } from './fixtures.ts';

/** A fixture case's official `model.pth`, read by the converter, as a WeightMap on the active backend (caller disposes). */
export function loadCaseWeights(caseDir: string = CASE_A_DIR): Promise<WeightMap> {
  return loadCheckpointWeights(resolve(caseDir, 'model.pth'));
}

/**
 * The GLIP model case-resnet's head stages were captured with: case-resnet's official ResNet-FPN
 * backbone (`backbone.*`) and case-a's official text and head tensors (everything else), as one
 * WeightMap on the active backend (caller disposes).
 */
export async function loadCaseResnetGlipWeights(): Promise<WeightMap> {
  const backbone = await loadCaseWeights(CASE_RESNET_DIR);
  const rest = await loadCaseWeights(CASE_A_DIR);
  const tensors = new Map(backbone.names().map((n) => [n, backbone.get(n)]));
  for (const n of rest.names()) {
    if (n.startsWith('backbone.')) rest.get(n).dispose();
    else tensors.set(n, rest.get(n));
  }
  return new WeightMap(tensors);
}
