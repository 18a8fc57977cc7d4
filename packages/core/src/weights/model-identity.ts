// Which model a derived artefact (a tuned prompt) belongs to: the sha256 of the model's weights,
// computed without hashing them again. Every shard's sha256 is in manifest.json and the loader checks
// each shard against it, so the shard digests name the weight bytes. The identity is the sha256 of
// the text `sha256sum` prints for the shards in manifest order ("<hex>  <file>\n" each); in a
// converted folder (shards named in order) a user reproduces it with
//   sha256sum model-*.safetensors | sha256sum
import type { WeightsManifest } from './manifest.ts';
import { sha256Hex } from './manifest.ts';

/** Lowercase hex sha256 identifying the weights the manifest lists (see the file comment). */
export function modelSha256(manifest: WeightsManifest): Promise<string> {
  const listing = manifest.shards.map((s) => `${s.sha256}  ${s.file}\n`).join('');
  return sha256Hex(new TextEncoder().encode(listing));
}
