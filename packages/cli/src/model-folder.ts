// `--model DIR`: a converted model folder (webglip convert), checked before the backend and the weights are touched.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GlipError } from '@webglip/core/engine';

/** Throws a `model-folder` GlipError unless `dir` holds a config.json. */
export function checkModelFolder(dir: string): void {
  if (!existsSync(join(dir, 'config.json'))) {
    throw new GlipError('model-folder', `--model ${dir}: ${existsSync(dir) ? 'has no config.json, so it is not a converted model folder (webglip convert makes one)' : 'no such folder'}`);
  }
}
