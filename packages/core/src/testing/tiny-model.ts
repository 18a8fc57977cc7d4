// Tests only: case-a's official model.pth converted by the real converter into an in-memory model
// folder (config.json, tokenizer.json, manifest.json, shards), with the test image size lowered to
// 64 px so a whole detect() is cheap even on SwiftShader. Reads are counted, so tests can tell a
// download from a cache hit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { convertCheckpoint, memorySink } from '@webglip/convert/convert-checkpoint.ts';
import { bytesSource } from '@webglip/convert/byte-source.ts';
import type { ModelFiles } from '../weights/model-files.ts';
import { CASE_A_DIR, REPO_ROOT } from './fixtures.ts';

/** Longer and shorter side the tiny model resizes images to. */
export const TINY_IMAGE_SIZE = 64;

let converted: Promise<Map<string, Uint8Array>> | undefined;

/** The converted folder's files (converted once per process). */
export function tinyModelFolder(): Promise<Map<string, Uint8Array>> {
  converted ??= (async () => {
    const yaml = readFileSync(resolve(CASE_A_DIR, 'config.yaml'), 'utf8')
      .replace(/INPUT: \{MIN_SIZE_TEST: \d+, MAX_SIZE_TEST: \d+\}/, `INPUT: {MIN_SIZE_TEST: ${TINY_IMAGE_SIZE}, MAX_SIZE_TEST: ${TINY_IMAGE_SIZE}}`);
    const sink = memorySink();
    await convertCheckpoint(bytesSource(readFileSync(resolve(CASE_A_DIR, 'model.pth'))), sink, {
      officialYaml: yaml,
      bertConfig: { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 128 },
      tokenizerJson: readFileSync(resolve(REPO_ROOT, 'models/bert-base-uncased/tokenizer.json')),
    });
    return sink.files;
  })();
  return converted;
}

/** ModelFiles over the tiny folder that count how often each file was read. */
export async function countingModelFiles(): Promise<ModelFiles & { reads: Map<string, number> }> {
  const files = await tinyModelFolder();
  const reads = new Map<string, number>();
  return {
    reads,
    async read(file) {
      const bytes = files.get(file);
      if (!bytes) throw new Error(`no ${file} in the tiny model folder`);
      reads.set(file, (reads.get(file) ?? 0) + 1);
      return Uint8Array.from(bytes);
    },
  };
}
