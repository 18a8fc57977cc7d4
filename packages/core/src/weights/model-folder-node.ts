// Node only: a converted model folder on disk as ModelFiles, and loading it (no cache: the files are local).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedModel, LoadOptions } from './load-model.ts';
import { loadModel } from './load-model.ts';
import type { ModelFiles } from './model-files.ts';

export function folderModelFiles(dir: string): ModelFiles {
  return {
    async read(file, signal, onBytes) {
      const bytes = new Uint8Array(await readFile(join(dir, file), { signal }));
      onBytes?.(bytes.length);
      return bytes;
    },
  };
}

/** Loads `config.json`, `manifest.json` and the shards of a model folder. */
export function loadModelFolder(dir: string, options: Omit<LoadOptions, 'cache'> = {}): Promise<LoadedModel> {
  return loadModel(folderModelFiles(dir), { retries: 0, ...options, cache: null });
}
