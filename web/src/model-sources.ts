// Models other than the shipped one: a folder picked on this computer, or an official checkpoint
// converted in the page by @webglip/convert. Both become in-memory folder files for the engine.
import { blobSource, convertCheckpoint, memorySink } from '@webglip/convert';
import { bertConfigFromHf } from '@webglip/core/client';
import { ConfigError } from '@webglip/core/client';
import type { ModelFileBytes } from '@webglip/core/client';

/** The files of a picked folder (`<input webkitdirectory>`), by name within the folder. */
export async function folderFiles(files: FileList): Promise<ModelFileBytes> {
  const out: ModelFileBytes = {};
  for (const file of files) out[file.name] = await file.arrayBuffer();
  if (!('manifest.json' in out)) throw new Error('that folder has no manifest.json: pick a converted model folder (config.json, tokenizer.json, manifest.json, *.safetensors)');
  return out;
}

/** BERT dims from a Hugging Face config.json (or a test fixture's case.json, which nests them). */
async function readBertConfig(file: File): Promise<ReturnType<typeof bertConfigFromHf>> {
  let obj: unknown;
  try {
    obj = JSON.parse(await file.text());
  } catch (cause) {
    throw new ConfigError(`${file.name} is not a JSON file (${(cause as Error).message})`);
  }
  const shim = (obj as { config?: { bert_config_shim?: unknown } } | null)?.config?.bert_config_shim;
  return bertConfigFromHf(shim ?? obj);
}

/** Converts an official GLIP checkpoint in memory, with the BERT tokenizer the official models use. */
export async function convertInPage(
  checkpoint: File,
  configs: { yaml?: File; bert?: File },
  onProgress: (fraction: number) => void,
): Promise<ModelFileBytes> {
  const tokenizer = await fetch(new URL('models/bert-base-uncased/tokenizer.json', document.baseURI));
  if (!tokenizer.ok) throw new Error('the BERT tokenizer (models/bert-base-uncased/tokenizer.json) is missing from this site');
  const sink = memorySink();
  await convertCheckpoint(blobSource(checkpoint), sink, {
    tokenizerJson: new Uint8Array(await tokenizer.arrayBuffer()),
    ...(configs.yaml && { officialYaml: await configs.yaml.text() }),
    ...(configs.bert && { bertConfig: await readBertConfig(configs.bert) }),
    onProgress: (p) => onProgress(p.bytesTotal > 0 ? p.bytesWritten / p.bytesTotal : 0),
  });
  const out: ModelFileBytes = {};
  for (const [name, bytes] of sink.files) out[name] = bytes.slice().buffer;
  return out;
}
