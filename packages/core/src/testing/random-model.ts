// Tests only: a model folder (config.json, tokenizer.json, manifest.json, one f32 shard) of the real
// GLIP architecture — Swin with shifted windows, FPN P3–P7, BERT, two VLDyHead blocks with MHA-B
// fusion, deformable DyConv, DyReLU, token head — at toy width, seeded random weights, and a 32 px
// input. Every stage the engine has runs, for a fraction of the case-a model's cost, so tests can
// afford hundreds of detect() calls (leak checks) or two shader compilations (device loss) on
// SwiftShader. Weights follow tools/bench/random-weights.ts's rules: norms 1/0, biases 0, the rest
// uniform within ±min(0.05, 1/sqrt(fan-in)); scores come out near 0.5, so detections are plentiful.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GlipConfig } from '../config.ts';
import { bertBaseUncased, glipTConfig } from '../config.ts';
import { seededRandom } from '../kernels/check-util.ts';
import { expectedTensors } from '../weights/expected-keys.ts';
import type { WeightsManifest } from '../weights/manifest.ts';
import { sha256Hex } from '../weights/manifest.ts';
import type { ModelFiles } from '../weights/model-files.ts';
import { layoutSafetensors } from '../weights/safetensors-writer.ts';
import { REPO_ROOT } from './fixtures.ts';

/** Shorter and longer side the random model resizes images to. */
export const RANDOM_MODEL_IMAGE_SIZE = 32;

export const RANDOM_MODEL_SHARD = 'model-00001-of-00001.safetensors';

/** GLIP-T's configuration with every width shrunk (and the 32 px input). */
export function randomModelConfig(): GlipConfig {
  const base = glipTConfig();
  const hidden = 16;
  return {
    ...base,
    swin: { ...base.swin, embedDim: 8, depths: [2, 2, 2, 2], numHeads: [1, 1, 2, 2], outChannels: [8, 16, 32, 64] },
    fpn: { outChannels: 16 },
    bert: { ...bertBaseUncased(), hiddenSize: hidden, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 64 },
    dyhead: { ...base.dyhead, channels: 16, numConvs: 2, gnGroups: 4, fusion: { embedDim: 32, numHeads: 2, visualDim: 16, langDim: hidden } },
    input: { ...base.input, minSizeTest: RANDOM_MODEL_IMAGE_SIZE, maxSizeTest: RANDOM_MODEL_IMAGE_SIZE },
    text: { maxQueryLen: 64 },
  };
}

function randomValues(name: string, shape: number[], random: () => number): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  if (/norm|LayerNorm/.test(name) && shape.length === 1) return leaf === 'weight' ? values.fill(1) : values;
  if (leaf === 'scale') return values.fill(1);
  if (['bias', 'bias0', 'bias_lang', 'log_scale'].includes(leaf)) return values;
  const fanIn = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const limit = leaf === 'gamma_v' || leaf === 'gamma_l' ? 0.125 : Math.min(0.05, Math.sqrt(1 / fanIn));
  for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * limit;
  return values;
}

let built: Promise<Map<string, Uint8Array>> | undefined;

/** The folder's files by name (built once per process; seed fixed, so the same bytes every run). */
export function randomModelFolder(): Promise<Map<string, Uint8Array>> {
  built ??= (async () => {
    const config = randomModelConfig();
    const random = seededRandom(9);
    const tensors = [...expectedTensors(config)]
      .filter(([, e]) => !e.recomputable) // anchors, position ids, relative position index: recomputed by the engine
      .map(([name, e]) => ({ name, shape: e.shape, values: randomValues(name, e.shape, random) }));
    const layout = layoutSafetensors(tensors.map((t) => ({ name: t.name, dtype: 'F32', shape: t.shape, byteLength: t.values.byteLength })), { format: 'pt' });
    const shard = new Uint8Array(layout.totalBytes);
    shard.set(layout.headerBytes, 0);
    tensors.forEach((t, i) => shard.set(new Uint8Array(t.values.buffer), layout.offsets[i]));
    const manifest: WeightsManifest = {
      format: 'webglip-weights',
      version: 1,
      dtype: 'f32',
      totalParameters: tensors.reduce((a, t) => a + t.values.length, 0),
      shards: [{ file: RANDOM_MODEL_SHARD, bytes: shard.length, sha256: await sha256Hex(shard), dtype: 'f32', tensors: tensors.length }],
    };
    const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
    return new Map([
      ['config.json', json(config)],
      ['tokenizer.json', readFileSync(resolve(REPO_ROOT, 'models/bert-base-uncased/tokenizer.json'))],
      ['manifest.json', json(manifest)],
      [RANDOM_MODEL_SHARD, shard],
    ]);
  })();
  return built;
}

/** ModelFiles over the random folder (copies, so a consumer cannot alter the folder). */
export async function randomModelFiles(): Promise<ModelFiles> {
  const files = await randomModelFolder();
  return {
    async read(file) {
      const bytes = files.get(file);
      if (!bytes) throw new Error(`no ${file} in the random model folder`);
      return Uint8Array.from(bytes);
    },
  };
}
