// `--tuned-prompt FILE` (detect, eval) and `webglip tune --out FILE`: a tuned-prompt file read with its
// path in any error, and written atomically.
import { readFile } from 'node:fs/promises';
import type { TunedPromptFile } from '@webglip/core/engine';
import { decodeTunedPrompt, encodeTunedPrompt, TunedPromptError } from '@webglip/core/engine';
import { writeFileAtomically } from './atomic-write.ts';

/** The tuned prompt in `path`; a file that cannot be used is a TunedPromptError naming it. */
export async function readTunedPromptFile(path: string): Promise<TunedPromptFile> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    return await decodeTunedPrompt(bytes);
  } catch (e) {
    if (e instanceof TunedPromptError) throw new TunedPromptError(e.reason, `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Writes the tuned prompt to `path`, complete or not at all. Returns the file's size in bytes. */
export async function writeTunedPromptFile(path: string, file: TunedPromptFile): Promise<number> {
  const bytes = await encodeTunedPrompt(file);
  await writeFileAtomically(path, bytes);
  return bytes.length;
}
