// The widget's one request of its own: the file its `tuned-prompt` attribute names (the image comes
// through an Image element, the model through the engine's loader). Read once per page and URL.
import { decodeTunedPrompt, TunedPromptError, type TunedPromptFile } from '@webglip/core/client';

/** Tuned-prompt files per absolute URL, read once for the page. */
const tunedPrompts = new Map<string, Promise<TunedPromptFile>>();

/** The tuned-prompt file at `url`, fetched and decoded (a TunedPromptError when it is not one). */
export function sharedTunedPrompt(url: string): Promise<TunedPromptFile> {
  let file = tunedPrompts.get(url);
  if (!file) {
    file = fetch(url).then(async (response) => {
      if (!response.ok) throw new TunedPromptError('corrupt', `the tuned prompt ${url} could not be fetched (HTTP ${response.status})`);
      return decodeTunedPrompt(new Uint8Array(await response.arrayBuffer()));
    });
    file.catch(() => tunedPrompts.delete(url));
    tunedPrompts.set(url, file);
  }
  return file;
}
