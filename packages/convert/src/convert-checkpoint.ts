// The conversion itself, independent of where bytes come from or go to (browser File → memory/OPFS,
// or Node file → folder): read the checkpoint's header, check it against the config, then stream the
// tensors into safetensors shards, one shard in memory at a time, and describe them in manifest.json.
import type { BertConfig, GlipConfig } from '@webglip/core/engine';
import { configFromOfficialYaml, glipTConfig } from '@webglip/core/engine';
import { CheckpointFormatError } from '@webglip/core/engine';
import { expectedTensors } from '@webglip/core/engine';
import type { ShardInfo, WeightsDtype, WeightsManifest } from '@webglip/core/engine';
import { sha256Hex } from '@webglip/core/engine';
import { f32ToF16 } from '@webglip/core/engine';
import type { SafetensorsDtype } from '@webglip/core/engine';
import { layoutSafetensors } from '@webglip/core/engine';
import { resolveBertConfig, unknownHeadsError } from './bert-dims.ts';
import type { ByteSource } from './byte-source.ts';
import { stripModulePrefix } from './checkpoint-weights.ts';
import { floatsAsF32 } from './float-encode.ts';
import { checkKeys } from './key-check.ts';
import { readCheckpoint } from './read-checkpoint.ts';
import type { StoredTensor } from './stored-tensor.ts';
import { isFloatDtype } from './stored-tensor.ts';

/** Where the model folder's files go; the caller makes it appear only once conversion succeeded. */
export interface FolderSink {
  writeFile(name: string, bytes: Uint8Array): Promise<void>;
}

export interface ConvertOptions {
  /** Float dtype of the output parameters (integer buffers stay integer). Default f32. */
  dtype?: WeightsDtype;
  /** Target shard size; a tensor larger than this gets a shard of its own. Default 64 MiB. */
  shardBytes?: number;
  /** The official YAML (overrides over GLIP-T's base yaml, or a full dump). Default: GLIP-T. */
  officialYaml?: string;
  /** Our typed config (e.g. a model folder's config.json), instead of officialYaml; its BERT dims are used as given. */
  config?: GlipConfig;
  /** BERT dims (Hugging Face config.json keys, parsed with bertConfigFromHf); unspecified ones are read off the weights. */
  bertConfig?: Partial<BertConfig>;
  /** Bytes of tokenizer.json to place in the folder. */
  tokenizerJson: Uint8Array;
  /** Leave out the buffers the engine recomputes (anchors, relative_position_index, position_ids). Default false. */
  dropRecomputableBuffers?: boolean;
  onProgress?: (p: { tensorsDone: number; tensorsTotal: number; bytesWritten: number; bytesTotal: number }) => void;
  signal?: AbortSignal;
}

export interface ConvertReport {
  config: GlipConfig;
  manifest: WeightsManifest;
  /** What else the file holds besides the converted state dict (`model_ema: dict with 746 tensors`, …). */
  extras: string[];
  /** How many names had `module.` stripped. */
  strippedPrefix: number;
  /** Recomputable buffers not in the checkpoint. */
  absentBuffers: string[];
  /** Recomputable buffers left out of the output (dropRecomputableBuffers). */
  droppedBuffers: string[];
  /** Human-readable warnings (f64 narrowing, f16 saturation). */
  warnings: string[];
}

const OUTPUT_DTYPE: Record<WeightsDtype, SafetensorsDtype> = { f32: 'F32', f16: 'F16' };

export async function convertCheckpoint(source: ByteSource, sink: FolderSink, options: ConvertOptions): Promise<ConvertReport> {
  const dtype = options.dtype ?? 'f32';
  const shardBytes = options.shardBytes ?? 64 * 1024 * 1024;
  const ckpt = await readCheckpoint(source);
  const tensors = new Map<string, StoredTensor>();
  let strippedPrefix = 0;
  for (const t of ckpt.tensors.values()) {
    const name = stripModulePrefix(t.name);
    if (name !== t.name) strippedPrefix++;
    if (tensors.has(name)) throw new CheckpointFormatError('unsupported', `two tensors are named "${name}" once "module." is stripped`);
    tensors.set(name, t);
  }

  const shapes = new Map([...tensors].map(([n, t]) => [n, t.shape]));
  const { bert, headsKnown } = options.config
    ? { bert: options.config.bert, headsKnown: true }
    : resolveBertConfig(shapes, options.bertConfig);
  const config = options.config ?? (options.officialYaml !== undefined ? configFromOfficialYaml(options.officialYaml, bert) : { ...glipTConfig(), bert });
  const expected = expectedTensors(config);
  const { absentBuffers } = checkKeys(tensors, expected);
  if (!headsKnown) throw unknownHeadsError(bert.hiddenSize);

  const droppedBuffers: string[] = [];
  const warnings: string[] = [];
  const outputs: { name: string; shape: number[]; source: StoredTensor; dtype: SafetensorsDtype; byteLength: number }[] = [];
  let totalParameters = 0;
  for (const [name, t] of tensors) {
    const e = expected.get(name)!;
    if (e.recomputable && options.dropRecomputableBuffers) {
      droppedBuffers.push(name);
      continue;
    }
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (!e.recomputable) totalParameters += numel;
    const float = isFloatDtype(t.dtype);
    if (t.dtype === 'I16' || t.dtype === 'I8') throw new CheckpointFormatError('unsupported', `${name}: ${t.dtype} tensors are not supported`);
    const outDtype = float ? OUTPUT_DTYPE[dtype] : t.dtype;
    if (t.dtype === 'F64') warnings.push(`${name}: float64 narrowed to ${dtype}`);
    outputs.push({ name, shape: t.shape, source: t, dtype: outDtype, byteLength: float ? numel * (dtype === 'f16' ? 2 : 4) : t.byteLength });
  }

  // Greedy shard plan in checkpoint order.
  const plan: (typeof outputs)[] = [];
  let current: typeof outputs = [];
  let currentBytes = 0;
  for (const o of outputs) {
    if (current.length && currentBytes + o.byteLength > shardBytes) {
      plan.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(o);
    currentBytes += o.byteLength;
  }
  if (current.length) plan.push(current);

  const bytesTotal = outputs.reduce((a, o) => a + o.byteLength, 0);
  let bytesWritten = 0;
  let tensorsDone = 0;
  let saturated = 0;
  const shards: ShardInfo[] = [];
  for (let s = 0; s < plan.length; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(plan.length).padStart(5, '0')}.safetensors`;
    const layout = layoutSafetensors(plan[s], { format: 'pt' });
    const bytes = new Uint8Array(layout.totalBytes);
    bytes.set(layout.headerBytes, 0);
    for (let i = 0; i < plan[s].length; i++) {
      options.signal?.throwIfAborted();
      const o = plan[s][i];
      const raw = await o.source.read();
      if (raw.length !== o.source.byteLength) throw new CheckpointFormatError('truncated', `tensor "${o.name}" read ${raw.length} bytes, expected ${o.source.byteLength}`);
      if (o.dtype === 'F16' && o.source.dtype === 'F16') bytes.set(raw, layout.offsets[i]);
      else if (o.dtype === 'F16') {
        const { half, saturated: n } = f32ToF16(floatsAsF32(o.source.dtype, raw));
        saturated += n;
        bytes.set(new Uint8Array(half.buffer), layout.offsets[i]);
      } else if (o.dtype === 'F32' && o.source.dtype !== 'F32') {
        bytes.set(new Uint8Array(floatsAsF32(o.source.dtype, raw).buffer), layout.offsets[i]);
      } else bytes.set(raw, layout.offsets[i]);
      tensorsDone++;
      bytesWritten += o.byteLength;
      options.onProgress?.({ tensorsDone, tensorsTotal: outputs.length, bytesWritten, bytesTotal });
    }
    shards.push({ file, bytes: bytes.length, sha256: await sha256Hex(bytes), dtype, tensors: plan[s].length });
    await sink.writeFile(file, bytes);
  }
  if (saturated) warnings.push(`${saturated} values beyond the f16 range (±65504) were saturated; use --dtype f32 for this checkpoint`);

  const manifest: WeightsManifest = { format: 'webglip-weights', version: 1, dtype, totalParameters, shards };
  const encoder = new TextEncoder();
  await sink.writeFile('config.json', encoder.encode(`${JSON.stringify(config, null, 2)}\n`));
  await sink.writeFile('tokenizer.json', options.tokenizerJson);
  await sink.writeFile('manifest.json', encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return { config, manifest, extras: ckpt.extras, strippedPrefix, absentBuffers, droppedBuffers, warnings };
}

/** A sink that keeps the files in memory (browser downloads, tests). */
export function memorySink(): FolderSink & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return { files, writeFile: async (name, bytes) => void files.set(name, bytes) };
}
