// The converter on a GLIP checkpoint with a ResNet-FPN body: the official backbone of case-resnet
// (model.pth made by the official resnet.py / fpn.py) joined with case-a's official text and head
// tensors (same FPN width, 64), written back in torch.save's layout.
import '@webglip/core/node-gpu'; // navigator.gpu before tfjs-backend-webgpu loads
import * as tf from '@tensorflow/tfjs';
import { configFromOfficialYaml } from '@webglip/core/engine';
import { CheckpointMismatchError } from '@webglip/core/engine';
import { visualBackbone } from '@webglip/core/engine';
import { runSteps } from '@webglip/core/engine';
import { TEST_BACKENDS, useBackend } from '@webglip/core/testing';
import { CASE_A_DIR, CASE_RESNET_DIR, caseTensors } from '@webglip/core/testing';
import { compareWithFixture, fixtureTensor } from '@webglip/core/testing';
import { expectedTensors } from '@webglip/core/engine';
import { SafetensorsFile } from '@webglip/core/engine';
import { WeightMap } from '@webglip/core/engine';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from './byte-source.ts';
import { convertCheckpoint, memorySink } from './convert-checkpoint.ts';
import { readCheckpoint } from './read-checkpoint.ts';
import { type FakeTensor, statePickle, torchZip } from './test-checkpoints.ts';

const RESNET_YAML = readFileSync(resolve(CASE_RESNET_DIR, 'config.yaml'), 'utf8');
const CASE_A_YAML = readFileSync(resolve(CASE_A_DIR, 'config.yaml'), 'utf8');
const BERT = { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 128 };
const tokenizerJson = new TextEncoder().encode('{}');

/** `{name: tensor}` of case-resnet's backbone.* and case-a's other tensors as one torch.save zip (`module.` kept). */
async function resnetGlipCheckpoint(): Promise<{ bytes: Uint8Array; backboneKeys: Map<string, number[]> }> {
  const resnet = await readCheckpoint(readFileSync(resolve(CASE_RESNET_DIR, 'model.pth')));
  const swin = await readCheckpoint(readFileSync(resolve(CASE_A_DIR, 'model.pth')));
  const picked = [...resnet.tensors.values()].concat([...swin.tensors.values()].filter((t) => !t.name.startsWith('module.backbone.')));
  const fakes: FakeTensor[] = [];
  const storages: Record<string, Uint8Array> = {};
  const numel: Record<string, number> = {};
  for (const [i, t] of picked.entries()) {
    const key = String(i);
    if (t.dtype !== 'F32' && t.dtype !== 'I64') throw new Error(`${t.name}: unexpected ${t.dtype}`);
    fakes.push({ name: t.name, storageKey: key, storageType: t.dtype === 'F32' ? 'FloatStorage' : 'LongStorage', shape: t.shape });
    storages[key] = await t.read();
    numel[key] = t.shape.reduce((a, b) => a * b, 1);
  }
  const backboneKeys = new Map([...resnet.tensors.values()].map((t) => [t.name.replace(/^module\./, ''), t.shape]));
  return { bytes: torchZip(statePickle(fakes, numel), storages), backboneKeys };
}

describe('converting a GLIP checkpoint with a ResNet-FPN body (case-resnet + case-a)', () => {
  let ckpt: Awaited<ReturnType<typeof resnetGlipCheckpoint>>;
  beforeAll(async () => {
    ckpt = await resnetGlipCheckpoint();
  });

  it('the expected backbone keys are exactly the official R-50-FPN-RETINANET checkpoint keys and shapes', () => {
    const expected = expectedTensors(configFromOfficialYaml(RESNET_YAML, BERT));
    const backbone = [...expected].filter(([n]) => n.startsWith('backbone.'));
    expect(backbone.map(([n]) => n).sort()).toEqual([...ckpt.backboneKeys.keys()].sort());
    for (const [name, e] of backbone) expect(e.shape, name).toEqual(ckpt.backboneKeys.get(name));
    expect(ckpt.backboneKeys.get('backbone.fpn.top_blocks.p6.weight')).toEqual([64, 256, 3, 3]); // P6 from C5
  });

  it.each(TEST_BACKENDS)('converts to f16, and the loaded weights reproduce the official P3..P7 on %s', async (backend) => {
    const sink = memorySink();
    const report = await convertCheckpoint(bytesSource(ckpt.bytes), sink, { officialYaml: RESNET_YAML, bertConfig: BERT, tokenizerJson, dtype: 'f16', shardBytes: 1e9 });
    expect(report.config.backbone.kind).toBe('resnet');
    expect(report.config).toEqual(configFromOfficialYaml(RESNET_YAML, BERT));
    const shard = sink.files.get(report.manifest.shards[0].file)!;
    await useBackend(backend);
    const w = WeightMap.fromSafetensors([new SafetensorsFile(shard)]);
    const f = caseTensors(CASE_RESNET_DIR);
    const input = fixtureTensor(f, 'image.input', true) as tf.Tensor4D;
    const levels = runSteps(visualBackbone({ config: report.config, weights: w }, input));
    for (const [i, p] of levels.entries()) {
      const r = await compareWithFixture(`p${i + 3}`, p, f, `backbone.fpn.p${i + 3}`, true);
      console.log(backend, 'f16 weights', r.stage, 'rel', r.maxRel.toExponential(2));
      // f16 weights (11-bit mantissa) through the 61 convolutions of body and FPN: measured ≤ 7.4e-4 of max |ref|
      // on cpu and webgpu (f32 weights: ≤ 2e-6).
      expect(r.maxRel).toBeLessThanOrEqual(3e-3);
    }
    // On webgpu the fused kernels read the folded filters as f16 pairs (the 3-channel stem conv excepted).
    const folded = backend === 'webgpu' ? 'bn folded, kh·kw·cin/2,cout f16 pairs' : 'bn folded, kh,kw,cin,cout';
    expect(w.layoutOf('backbone.body.layer1.0.conv2.weight')).toBe(folded);
    expect(w.layoutOf('backbone.body.layer4.2.conv3.weight')).toBe(folded);
    expect(w.layoutOf('backbone.body.stem.conv1.weight')).toBe('bn folded, kh,kw,cin,cout');
    tf.dispose([input, ...levels]);
    w.dispose();
  });

  it('writes nothing when the config names the Swin body instead', async () => {
    const sink = memorySink();
    const err = await convertCheckpoint(bytesSource(ckpt.bytes), sink, { officialYaml: CASE_A_YAML, bertConfig: BERT, tokenizerJson }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    const m = err as CheckpointMismatchError;
    expect(m.missing).toContain('backbone.body.patch_embed.proj.weight');
    expect(m.unexpected).toContain('backbone.body.stem.conv1.weight');
    expect(m.unexpected).toContain('backbone.body.layer3.5.bn3.running_var');
    expect(sink.files.size).toBe(0);
  });
});
