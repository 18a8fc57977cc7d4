// Weights of a fixture case for tests: the case's official `model.pth`, read by our converter.
import { resolve } from 'node:path';
import { loadCheckpointWeights } from '@webglip/convert/node.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { CASE_A_DIR } from './fixtures.ts';

/** A fixture case's official `model.pth`, read by the converter, as a WeightMap on the active backend (caller disposes). */
export function loadCaseWeights(caseDir: string = CASE_A_DIR): Promise<WeightMap> {
  return loadCheckpointWeights(resolve(caseDir, 'model.pth'));
}
