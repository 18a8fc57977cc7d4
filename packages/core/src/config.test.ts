import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bertConfigFromHf, configFromOfficialYaml, glipTConfig, parseConfigJson } from './config.ts';
import { ConfigError } from './errors.ts';
import { CASE_A_DIR, CASE_RESNET_DIR, FIXTURES_DIR, caseConfig, caseJson } from './testing/fixtures.ts';

function caseABertShim() {
  return bertConfigFromHf((caseJson().config as { bert_config_shim: unknown }).bert_config_shim);
}

describe('GLIP config', () => {
  it('loads case-a from its override yaml and from its full dump to the same config', () => {
    const shim = caseABertShim();
    const fromOverrides = configFromOfficialYaml(readFileSync(resolve(CASE_A_DIR, 'config.yaml'), 'utf8'), shim);
    const fromFull = configFromOfficialYaml(readFileSync(resolve(CASE_A_DIR, 'config_full.yaml'), 'utf8'), shim);
    expect(fromFull).toEqual(fromOverrides);
    expect(caseConfig()).toEqual(fromOverrides);
    expect(fromOverrides.swin).toEqual({ embedDim: 24, depths: [2, 2, 2, 2], numHeads: [1, 2, 4, 8], windowSize: 7, patchSize: 4, mlpRatio: 4, outChannels: [24, 48, 96, 192] });
    expect(fromOverrides.fpn.outChannels).toBe(64);
    expect(fromOverrides.dyhead).toMatchObject({ channels: 64, numConvs: 2, fusion: { embedDim: 2048, numHeads: 8, visualDim: 64, langDim: 32 } });
    expect(fromOverrides.bert).toEqual({ hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 128, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12 });
    expect(fromOverrides.input).toMatchObject({ minSizeTest: 316, maxSizeTest: 512, sizeDivisibility: 32, toBgr255: true });
  });

  it('GLIP-T defaults agree with the shapes of the real GLIP-T checkpoint keys', () => {
    const keys = (JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'glip-t-keys.json'), 'utf8')) as { keys: Record<string, { shape: number[] }> }).keys;
    const shape = (name: string) => keys[`module.${name}`].shape;
    const c = glipTConfig();
    expect(shape('backbone.body.patch_embed.proj.weight')).toEqual([c.swin.embedDim, 3, c.swin.patchSize, c.swin.patchSize]);
    c.swin.depths.forEach((depth, i) => {
      const ch = c.swin.outChannels[i];
      const ws = c.swin.windowSize;
      expect(keys[`module.backbone.body.layers.${i}.blocks.${depth - 1}.norm1.weight`]).toBeDefined();
      expect(keys[`module.backbone.body.layers.${i}.blocks.${depth}.norm1.weight`]).toBeUndefined();
      expect(shape(`backbone.body.layers.${i}.blocks.0.attn.relative_position_bias_table`)).toEqual([(2 * ws - 1) ** 2, c.swin.numHeads[i]]);
      expect(shape(`backbone.body.layers.${i}.blocks.0.mlp.fc1.weight`)).toEqual([ch * c.swin.mlpRatio, ch]);
    });
    expect(shape('backbone.fpn.fpn_inner4.weight')).toEqual([c.fpn.outChannels, c.swin.outChannels[3], 1, 1]);
    const bert = 'language_backbone.body.model';
    expect(shape(`${bert}.embeddings.word_embeddings.weight`)).toEqual([c.bert.vocabSize, c.bert.hiddenSize]);
    expect(shape(`${bert}.embeddings.position_embeddings.weight`)).toEqual([c.bert.maxPositions, c.bert.hiddenSize]);
    expect(shape(`${bert}.embeddings.token_type_embeddings.weight`)).toEqual([c.bert.typeVocabSize, c.bert.hiddenSize]);
    expect(shape(`${bert}.encoder.layer.0.intermediate.dense.weight`)).toEqual([c.bert.intermediateSize, c.bert.hiddenSize]);
    expect(keys[`module.${bert}.encoder.layer.${c.bert.numLayers - 1}.output.dense.weight`]).toBeDefined();
    expect(keys[`module.${bert}.encoder.layer.${c.bert.numLayers}.output.dense.weight`]).toBeUndefined();
    const f = c.dyhead.fusion;
    expect(shape('rpn.head.dyhead_tower.0.b_attn.attn.v_proj.weight')).toEqual([f.embedDim, f.visualDim]);
    expect(shape('rpn.head.dyhead_tower.0.b_attn.attn.l_proj.weight')).toEqual([f.embedDim, f.langDim]);
    expect(keys[`module.rpn.head.dyhead_tower.${3 * c.dyhead.numConvs - 1}.relu.fc.0.weight`]).toBeDefined();
    expect(keys[`module.rpn.head.dyhead_tower.${3 * c.dyhead.numConvs}.b_attn.gamma_v`]).toBeUndefined();
    expect(shape('rpn.head.dyhead_tower.2.DyConv.0.conv.weight')).toEqual([c.dyhead.channels, c.fpn.outChannels, 3, 3]);
    expect(c.anchors.sizes.length).toBe(5);
    expect(keys[`module.rpn.anchor_generator.cell_anchors.${c.anchors.sizes.length - 1}`]).toBeDefined();
  });

  it('round-trips through config.json and rejects malformed fields with a typed error', () => {
    const c = glipTConfig();
    expect(parseConfigJson(JSON.parse(JSON.stringify(c)))).toEqual(c);
    const bad = JSON.parse(JSON.stringify(c)) as { swin: { depths: unknown } };
    bad.swin.depths = [2, 'two'];
    expect(() => parseConfigJson(bad)).toThrow(ConfigError);
    expect(() => parseConfigJson(bad)).toThrow(/swin\.depths\[1\]/);
    expect(() => parseConfigJson(null)).toThrow(ConfigError);
  });

  it('rejects official configs of another architecture', () => {
    expect(() => configFromOfficialYaml('MODEL:\n  DYHEAD:\n    FUSE_CONFIG: {TYPE: MHA-S}\n')).toThrow(/MHA-S/);
    expect(() => configFromOfficialYaml('MODEL: [1, 2')).toThrow(ConfigError);
  });

  it('maps MODEL.BACKBONE.CONV_BODY and MODEL.RESNETS.* to the ResNet body, and config.json keeps it', () => {
    expect(glipTConfig().backbone).toEqual({ kind: 'swin' });
    const r101 = configFromOfficialYaml('MODEL:\n  BACKBONE: {CONV_BODY: R-101-FPN-RETINANET}\n  RESNETS: {STRIDE_IN_1X1: false}\n');
    expect(r101.backbone).toEqual({
      kind: 'resnet',
      resnet: { stageBlocks: [3, 4, 23, 3], stemOutChannels: 64, numGroups: 1, widthPerGroup: 64, strideIn1x1: false, res2OutChannels: 256 },
    });
    const c = caseConfig(CASE_RESNET_DIR);
    expect(parseConfigJson(JSON.parse(JSON.stringify(c)))).toEqual(c);
    const withoutBackbone = JSON.parse(JSON.stringify(glipTConfig())) as Record<string, unknown>;
    delete withoutBackbone.backbone; // a config.json written before the ResNet body existed
    expect(parseConfigJson(withoutBackbone).backbone).toEqual({ kind: 'swin' });
    const bad = JSON.parse(JSON.stringify(c)) as { backbone: { resnet: { stageBlocks: number[] } } };
    bad.backbone.resnet.stageBlocks = [3, 4, 6];
    expect(() => parseConfigJson(bad)).toThrow(/stageBlocks must have 4 stages/);
  });

  it('rejects ResNet variants that are not implemented, naming the key', () => {
    const body = 'MODEL:\n  BACKBONE: {CONV_BODY: R-50-FPN-RETINANET}\n';
    expect(() => configFromOfficialYaml('MODEL:\n  BACKBONE: {CONV_BODY: R-50-C4}\n')).toThrow(/CONV_BODY: "R-50-C4" is not supported/);
    expect(() => configFromOfficialYaml(`${body}  RESNETS: {NUM_GROUPS: 32}\n`)).toThrow(/NUM_GROUPS = 32/);
    expect(() => configFromOfficialYaml(`${body}  RESNETS: {STAGE_WITH_DCN: [false, true, true, true]}\n`)).toThrow(/STAGE_WITH_DCN/);
    expect(() => configFromOfficialYaml(`${body}  RESNETS: {USE_STEM3X3: true}\n`)).toThrow(/USE_STEM3X3: true is not supported/);
    expect(() => configFromOfficialYaml('MODEL:\n  BACKBONE: {CONV_BODY: R-50-FPN-RETINANET, USE_BN: true}\n')).toThrow(/USE_BN: true is not supported/);
  });
});
