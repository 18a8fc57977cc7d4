// Every state_dict tensor the official GLIP model has for a given GlipConfig, with its shape
// (names without `module.`; reference §4.2). The converter checks checkpoints against this list,
// so a checkpoint of another architecture or config fails with names instead of at inference.
import type { GlipConfig, ResNetConfig, SwinConfig } from '../config.ts';

export interface ExpectedTensor {
  shape: number[];
  /** Integer buffers (int64 in checkpoints); everything else is float. */
  integer: boolean;
  /** Buffers the engine recomputes (anchors, Swin relative_position_index, BERT position_ids): may be absent. */
  recomputable: boolean;
  /** cls_logits: computed by GLIP only for its channel count, so its out-channels (NUM_CLASSES−1) may differ. */
  anyLeadingDim: boolean;
}

export function expectedTensors(c: GlipConfig): Map<string, ExpectedTensor> {
  const out = new Map<string, ExpectedTensor>();
  const param = (name: string, shape: number[]): void => {
    out.set(name, { shape, integer: false, recomputable: false, anyLeadingDim: false });
  };
  const linear = (name: string, outDim: number, inDim: number): void => {
    param(`${name}.weight`, [outDim, inDim]);
    param(`${name}.bias`, [outDim]);
  };
  const conv = (name: string, outDim: number, inDim: number, k: number): void => {
    param(`${name}.weight`, [outDim, inDim, k, k]);
    param(`${name}.bias`, [outDim]);
  };
  const norm = (name: string, dim: number): void => {
    param(`${name}.weight`, [dim]);
    param(`${name}.bias`, [dim]);
  };
  const buffer = (name: string, shape: number[], integer: boolean): void => {
    out.set(name, { shape, integer, recomputable: true, anyLeadingDim: false });
  };
  const bertLayer = (p: string, h: number, ffn: number): void => {
    for (const qkv of ['query', 'key', 'value']) linear(`${p}.attention.self.${qkv}`, h, h);
    linear(`${p}.attention.output.dense`, h, h);
    norm(`${p}.attention.output.LayerNorm`, h);
    linear(`${p}.intermediate.dense`, ffn, h);
    linear(`${p}.output.dense`, h, ffn);
    norm(`${p}.output.LayerNorm`, h);
  };

  // Visual body (backbone.body) and the channels of its C3..C5
  const bodyChannels = c.backbone.kind === 'resnet' ? resnetBody(c.backbone.resnet, param) : swinBody(c.swin, param, conv, norm, linear, buffer);

  // FPN (backbone.fpn): laterals and outputs for C3..C5, then P6 and P7. P6 reads P5 for Swin (GLIP
  // builds LastLevelP6P7(out, out)) and C5 for a ResNet (upstream: LastLevelP6P7(C5 channels, out)).
  const f = c.fpn.outChannels;
  for (let i = 1; i < 4; i++) {
    conv(`backbone.fpn.fpn_inner${i + 1}`, f, bodyChannels[i], 1);
    conv(`backbone.fpn.fpn_layer${i + 1}`, f, f, 3);
  }
  conv('backbone.fpn.top_blocks.p6', f, c.backbone.kind === 'resnet' ? bodyChannels[3] : f, 3);
  conv('backbone.fpn.top_blocks.p7', f, f, 3);

  // BERT (language_backbone.body.model), no pooler
  const bert = c.bert;
  const lm = 'language_backbone.body.model';
  param(`${lm}.embeddings.word_embeddings.weight`, [bert.vocabSize, bert.hiddenSize]);
  param(`${lm}.embeddings.position_embeddings.weight`, [bert.maxPositions, bert.hiddenSize]);
  param(`${lm}.embeddings.token_type_embeddings.weight`, [bert.typeVocabSize, bert.hiddenSize]);
  norm(`${lm}.embeddings.LayerNorm`, bert.hiddenSize);
  buffer(`${lm}.embeddings.position_ids`, [1, bert.maxPositions], true);
  for (let n = 0; n < bert.numLayers; n++) bertLayer(`${lm}.encoder.layer.${n}`, bert.hiddenSize, bert.intermediateSize);

  // VLDyHead tower (rpn.head.dyhead_tower): (VLFuse, BertEncoderLayer, DyConv) × numConvs
  const d = c.dyhead;
  const fu = d.fusion;
  for (let k = 0; k < d.numConvs; k++) {
    const fuse = `rpn.head.dyhead_tower.${3 * k}.b_attn`;
    norm(`${fuse}.layer_norm_v`, fu.visualDim);
    norm(`${fuse}.layer_norm_l`, fu.langDim);
    param(`${fuse}.gamma_v`, [fu.visualDim]);
    param(`${fuse}.gamma_l`, [fu.langDim]);
    linear(`${fuse}.attn.v_proj`, fu.embedDim, fu.visualDim);
    linear(`${fuse}.attn.l_proj`, fu.embedDim, fu.langDim);
    linear(`${fuse}.attn.values_v_proj`, fu.embedDim, fu.visualDim);
    linear(`${fuse}.attn.values_l_proj`, fu.embedDim, fu.langDim);
    linear(`${fuse}.attn.out_v_proj`, fu.visualDim, fu.embedDim);
    linear(`${fuse}.attn.out_l_proj`, fu.langDim, fu.embedDim);
    bertLayer(`rpn.head.dyhead_tower.${3 * k + 1}`, bert.hiddenSize, bert.intermediateSize);
    const dy = `rpn.head.dyhead_tower.${3 * k + 2}`;
    const inCh = k === 0 ? f : d.channels;
    for (let t = 0; t < 3; t++) {
      conv(`${dy}.DyConv.${t}.conv`, d.channels, inCh, 3);
      if (d.useGn) norm(`${dy}.DyConv.${t}.bn`, d.channels);
    }
    if (d.useDfConv) conv(`${dy}.offset`, 27, inCh, 3);
    if (d.useDyFuse) conv(`${dy}.AttnConv.1`, 1, inCh, 1);
    if (d.useDyRelu) {
      linear(`${dy}.relu.fc.0`, inCh / 4, inCh);
      linear(`${dy}.relu.fc.2`, 4 * d.channels, inCh / 4);
    }
  }

  // Output heads and anchors
  const anchorsPerLocation = c.anchors.aspectRatios.length * c.anchors.scalesPerOctave;
  conv('rpn.head.cls_logits', 80 * anchorsPerLocation, d.channels, 1);
  for (const suffix of ['weight', 'bias']) out.get(`rpn.head.cls_logits.${suffix}`)!.anyLeadingDim = true;
  conv('rpn.head.bbox_pred', 4 * anchorsPerLocation, d.channels, 1);
  conv('rpn.head.centerness', anchorsPerLocation, d.channels, 1);
  linear('rpn.head.dot_product_projection_text', d.channels * anchorsPerLocation, fu.langDim);
  param('rpn.head.log_scale', [1]);
  param('rpn.head.bias_lang', [fu.langDim]);
  param('rpn.head.bias0', [1]);
  c.anchors.sizes.forEach((_, l) => {
    param(`rpn.head.scales.${l}.scale`, [1]);
    buffer(`rpn.anchor_generator.cell_anchors.${l}`, [anchorsPerLocation, 4], false);
  });
  return out;
}

type Param = (name: string, shape: number[]) => void;
type Layer = (name: string, outDim: number, inDim: number, k: number) => void;
type Norm = (name: string, dim: number) => void;
type Linear = (name: string, outDim: number, inDim: number) => void;
type Buffer = (name: string, shape: number[], integer: boolean) => void;

/** Swin v1 (swint.py): patch embedding, blocks, patch merging, stage norms. Returns C2..C5 channels. */
function swinBody(s: SwinConfig, param: Param, conv: Layer, norm: Norm, linear: Linear, buffer: Buffer): number[] {
  const body = 'backbone.body';
  conv(`${body}.patch_embed.proj`, s.embedDim, 3, s.patchSize);
  norm(`${body}.patch_embed.norm`, s.embedDim);
  const w2 = s.windowSize * s.windowSize;
  s.depths.forEach((depth, i) => {
    const ch = s.outChannels[i];
    for (let j = 0; j < depth; j++) {
      const b = `${body}.layers.${i}.blocks.${j}`;
      norm(`${b}.norm1`, ch);
      param(`${b}.attn.relative_position_bias_table`, [(2 * s.windowSize - 1) ** 2, s.numHeads[i]]);
      buffer(`${b}.attn.relative_position_index`, [w2, w2], true);
      linear(`${b}.attn.qkv`, 3 * ch, ch);
      linear(`${b}.attn.proj`, ch, ch);
      norm(`${b}.norm2`, ch);
      linear(`${b}.mlp.fc1`, Math.round(ch * s.mlpRatio), ch);
      linear(`${b}.mlp.fc2`, ch, Math.round(ch * s.mlpRatio));
    }
    if (i < s.depths.length - 1) {
      param(`${body}.layers.${i}.downsample.reduction.weight`, [2 * ch, 4 * ch]);
      norm(`${body}.layers.${i}.downsample.norm`, 4 * ch);
    }
    if (i > 0) norm(`${body}.norm${i}`, ch); // norm0 is nn.Identity: stage 2 (C2) is not used
  });
  return s.outChannels;
}

/**
 * ResNet (resnet.py, StemWithFixedBatchNorm + BottleneckWithFixedBatchNorm): every conv bias-free,
 * each followed by a FrozenBatchNorm2d (weight, bias, running_mean, running_var; all buffers, no
 * num_batches_tracked). Returns C2..C5 channels.
 */
function resnetBody(r: ResNetConfig, param: Param): number[] {
  const body = 'backbone.body';
  const convBn = (conv: string, bn: string, outDim: number, inDim: number, k: number): void => {
    param(`${conv}.weight`, [outDim, inDim, k, k]);
    for (const leaf of ['weight', 'bias', 'running_mean', 'running_var']) param(`${bn}.${leaf}`, [outDim]);
  };
  convBn(`${body}.stem.conv1`, `${body}.stem.bn1`, r.stemOutChannels, 3, 7);
  let inDim = r.stemOutChannels;
  return r.stageBlocks.map((blocks, i) => {
    const width = r.numGroups * r.widthPerGroup * 2 ** i;
    const outDim = r.res2OutChannels * 2 ** i;
    for (let b = 0; b < blocks; b++) {
      const p = `${body}.layer${i + 1}.${b}`;
      if (inDim !== outDim) convBn(`${p}.downsample.0`, `${p}.downsample.1`, outDim, inDim, 1);
      convBn(`${p}.conv1`, `${p}.bn1`, width, inDim, 1);
      convBn(`${p}.conv2`, `${p}.bn2`, width, width / r.numGroups, 3);
      convBn(`${p}.conv3`, `${p}.bn3`, outDim, width, 1);
      inDim = outDim;
    }
    return outDim;
  });
}
