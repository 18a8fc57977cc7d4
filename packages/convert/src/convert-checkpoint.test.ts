import { configFromOfficialYaml } from '@webglip/core/engine';
import { CheckpointMismatchError, ConfigError, UnsafePickleError } from '@webglip/core/engine';
import { CASE_A_DIR } from '@webglip/core/testing';
import { parseManifest } from '@webglip/core/engine';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blobSource, bytesSource } from './byte-source.ts';
import { convertCheckpoint, memorySink } from './convert-checkpoint.ts';
import { resolveBertConfig } from './bert-dims.ts';
import { hostilePickle, torchZip } from './test-checkpoints.ts';

const YAML = readFileSync(resolve(CASE_A_DIR, 'config.yaml'), 'utf8');
const BERT = { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 128 };
const MODEL = readFileSync(resolve(CASE_A_DIR, 'model.pth'));
const tokenizerJson = new TextEncoder().encode('{}');

describe('convertCheckpoint (browser-usable core)', () => {
  it('converts from a Blob, and re-converting its .safetensors output reproduces it byte for byte', async () => {
    const first = memorySink();
    const report = await convertCheckpoint(blobSource(new Blob([MODEL])), first, { officialYaml: YAML, bertConfig: BERT, tokenizerJson, shardBytes: 1e9 });
    expect(report.manifest.shards).toHaveLength(1);
    expect(report.strippedPrefix).toBe(314);
    expect(report.absentBuffers).toEqual([]);
    expect(report.config).toEqual(configFromOfficialYaml(YAML, BERT));
    const shard = first.files.get(report.manifest.shards[0].file)!;

    const second = memorySink();
    const again = await convertCheckpoint(bytesSource(shard), second, { officialYaml: YAML, bertConfig: BERT, tokenizerJson, shardBytes: 1e9 });
    expect(again.strippedPrefix).toBe(0);
    expect(again.manifest).toEqual(report.manifest);
    expect(parseManifest(JSON.parse(new TextDecoder().decode(second.files.get('manifest.json'))))).toEqual(report.manifest);
  });

  it('can leave out the recomputable buffers, and says which', async () => {
    const report = await convertCheckpoint(bytesSource(MODEL), memorySink(), { officialYaml: YAML, bertConfig: BERT, tokenizerJson, dropRecomputableBuffers: true });
    expect(report.droppedBuffers).toHaveLength(8 + 1 + 5);
    expect(report.droppedBuffers).toContain('rpn.anchor_generator.cell_anchors.4');
    expect(report.manifest.totalParameters).toBe(4_008_730);
    expect(report.manifest.shards.reduce((a, s) => a + s.tensors, 0)).toBe(314 - 14);
  });

  it('writes nothing for a pickle with a forbidden global', async () => {
    const sink = memorySink();
    await expect(convertCheckpoint(bytesSource(torchZip(hostilePickle('posix', 'system'), {})), sink, { tokenizerJson }))
      .rejects.toBeInstanceOf(UnsafePickleError);
    expect(sink.files.size).toBe(0);
  });

  it('writes nothing for a checkpoint of another config', async () => {
    const sink = memorySink();
    const err = await convertCheckpoint(bytesSource(MODEL), sink, { bertConfig: BERT, tokenizerJson }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    const m = err as CheckpointMismatchError;
    expect(m.missing).toContain('backbone.body.layers.2.blocks.5.attn.qkv.weight');
    expect(m.misshaped.map((x) => x.name)).toContain('backbone.body.patch_embed.proj.weight');
    expect(sink.files.size).toBe(0);
  });
});

describe('BERT dims', () => {
  const shapes = (hidden: number): Map<string, number[]> => new Map([
    ['language_backbone.body.model.embeddings.word_embeddings.weight', [30522, hidden]],
    ['language_backbone.body.model.encoder.layer.0.intermediate.dense.weight', [4 * hidden, hidden]],
    ['language_backbone.body.model.encoder.layer.3.output.dense.bias', [hidden]],
  ]);
  it('reads sizes off the weights and assumes 12 heads only for hidden 768', () => {
    expect(resolveBertConfig(shapes(768))).toEqual({ headsKnown: true, bert: expect.objectContaining({ hiddenSize: 768, numHeads: 12, numLayers: 4, intermediateSize: 3072 }) });
    expect(resolveBertConfig(shapes(32)).headsKnown).toBe(false);
    expect(resolveBertConfig(shapes(32), { numHeads: 4 }).bert.numHeads).toBe(4);
  });
  it('is a typed error for a non-base BERT without a head count', async () => {
    await expect(convertCheckpoint(bytesSource(MODEL), memorySink(), { officialYaml: YAML, tokenizerJson })).rejects.toBeInstanceOf(ConfigError);
  });
});

const CORE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../core');
/** Core's entry points (package.json `exports`): the converter imports core through them. */
const CORE_EXPORTS = (JSON.parse(readFileSync(resolve(CORE_DIR, 'package.json'), 'utf8')) as { exports: Record<string, string> }).exports;

describe('browser safety', () => {
  it('the library entry reaches no node: module', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        const spec = m[1];
        expect(spec.startsWith('node:'), `${file} imports ${spec}`).toBe(false);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else if (spec.startsWith('@webglip/core/')) visit(resolve(CORE_DIR, CORE_EXPORTS[`.${spec.slice('@webglip/core'.length)}`]));
      }
    };
    visit(fileURLToPath(new URL('./index.ts', import.meta.url)));
    expect(seen.size).toBeGreaterThan(10);
  });
});
