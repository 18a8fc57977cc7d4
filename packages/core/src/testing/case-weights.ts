// Weights of a fixture case for tests. Until the converter (packages/convert) lands, this reads the
// dev-only safetensors export of case-a's model.pth (path overridable with WEBGLIP_CASE_WEIGHTS).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCheckpointWeights } from '@webglip/convert/node.ts';
import { SafetensorsFile } from '../weights/safetensors.ts';
import { WeightMap } from '../weights/weight-map.ts';
import { CASE_A_DIR } from './fixtures.ts';

const DEV_WEIGHTS = process.env.WEBGLIP_CASE_WEIGHTS ?? '/work/dev/case-a-weights.safetensors';

/** True when the case-a weights can be loaded (tests skip otherwise). */
export const CASE_WEIGHTS_AVAILABLE = existsSync(DEV_WEIGHTS);

/** case-a weights as a WeightMap on the active backend (caller disposes). */
export function caseWeights(): WeightMap {
  return WeightMap.fromSafetensors([new SafetensorsFile(readFileSync(DEV_WEIGHTS))]);
}

/** A fixture case's official `model.pth`, read by the converter, as a WeightMap on the active backend (caller disposes). */
export function loadCaseWeights(caseDir: string = CASE_A_DIR): Promise<WeightMap> {
  return loadCheckpointWeights(resolve(caseDir, 'model.pth'));
}
