// `manifest.json` of a model folder: the safetensors shards with their sizes and sha256, so a loader
// can show progress, verify each download and cache shards by content.
import { WeightsFormatError } from '../errors.ts';

export type WeightsDtype = 'f32' | 'f16';

export interface ShardInfo {
  file: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the whole file. */
  sha256: string;
  /** Float dtype of the shard's parameters (integer buffers keep their own dtype). */
  dtype: WeightsDtype;
  tensors: number;
}

export interface WeightsManifest {
  format: 'webglip-weights';
  version: 1;
  dtype: WeightsDtype;
  /** Elements of all parameters (buffers excluded). */
  totalParameters: number;
  shards: ShardInfo[];
}

/** Validates a parsed manifest.json. */
export function parseManifest(obj: unknown): WeightsManifest {
  const bad = (what: string): never => {
    throw new WeightsFormatError(`manifest.json: ${what}`);
  };
  if (typeof obj !== 'object' || obj === null) return bad('not an object');
  const m = obj as Record<string, unknown>;
  if (m.format !== 'webglip-weights' || m.version !== 1) bad('not a webglip weights manifest (format "webglip-weights", version 1)');
  if (m.dtype !== 'f32' && m.dtype !== 'f16') bad('dtype must be "f32" or "f16"');
  if (!Number.isSafeInteger(m.totalParameters)) bad('totalParameters must be an integer');
  if (!Array.isArray(m.shards) || m.shards.length === 0) bad('shards must be a non-empty list');
  const shards = (m.shards as unknown[]).map((s, i): ShardInfo => {
    const r = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    if (typeof r.file !== 'string' || !/^[\w.-]+\.safetensors$/.test(r.file)) bad(`shards[${i}].file must be a plain *.safetensors file name`);
    if (!Number.isSafeInteger(r.bytes) || (r.bytes as number) < 8) bad(`shards[${i}].bytes is invalid`);
    if (typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256)) bad(`shards[${i}].sha256 must be 64 lowercase hex digits`);
    if (r.dtype !== 'f32' && r.dtype !== 'f16') bad(`shards[${i}].dtype must be "f32" or "f16"`);
    if (!Number.isSafeInteger(r.tensors)) bad(`shards[${i}].tensors must be an integer`);
    return { file: r.file as string, bytes: r.bytes as number, sha256: r.sha256 as string, dtype: r.dtype as WeightsDtype, tensors: r.tensors as number };
  });
  return { format: 'webglip-weights', version: 1, dtype: m.dtype as WeightsDtype, totalParameters: m.totalParameters as number, shards };
}

/** Lowercase hex SHA-256 via Web Crypto (browsers and Node ≥ 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
