// Typed GLIP model config. The official maskrcnn_benchmark YAML keys are mapped to it here and nowhere
// else (`configFromOfficialYaml`); our own `config.json` is this object serialised (`parseConfigJson`).
// GLIP-T values follow the reference §1.2 (configs/pretrain/glip_Swin_T_O365_GoldG.yaml + defaults.py).
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.ts';

/** Swin Transformer v1 backbone (`backbone.body`). */
export interface SwinConfig {
  embedDim: number; // MODEL.SWINT.EMBED_DIM: channels after the patch embedding (stage 2)
  depths: number[]; // MODEL.SWINT.DEPTHS: blocks per stage
  numHeads: number[]; // MODEL.SWINT.NUM_HEADS: attention heads per stage
  windowSize: number; // MODEL.SWINT.WINDOW_SIZE
  patchSize: number; // hard-coded 4 in GLIP's swint.py
  mlpRatio: number; // MODEL.SWINT.MLP_RATIO
  outChannels: number[]; // MODEL.SWINT.OUT_CHANNELS: channels of stages 2..5
}

/**
 * ResNet body (`backbone.body`, maskrcnn_benchmark's resnet.py with StemWithFixedBatchNorm and
 * BottleneckWithFixedBatchNorm): the 7×7 stem, then four stages of bottlenecks returning C2..C5.
 */
export interface ResNetConfig {
  stageBlocks: number[]; // MODEL.BACKBONE.CONV_BODY: R-50 → 3, 4, 6, 3; R-101 → 3, 4, 23, 3 (blocks per stage)
  stemOutChannels: number; // MODEL.RESNETS.STEM_OUT_CHANNELS
  numGroups: number; // MODEL.RESNETS.NUM_GROUPS (1: only ungrouped 3×3 convs are implemented)
  widthPerGroup: number; // MODEL.RESNETS.WIDTH_PER_GROUP: stage 2 bottleneck width = numGroups·widthPerGroup
  strideIn1x1: boolean; // MODEL.RESNETS.STRIDE_IN_1X1: a stage's stride on the first 1×1 (MSRA) or on the 3×3
  res2OutChannels: number; // MODEL.RESNETS.RES2_OUT_CHANNELS: C2 channels; stage i has res2·2^(i−2)
}

/**
 * The visual body, chosen by MODEL.BACKBONE.CONV_BODY: Swin (`SWINT-FPN-RETINANET`, dims in
 * `GlipConfig.swin`) or ResNet (`R-50-FPN-RETINANET` / `R-101-FPN-RETINANET`, as upstream
 * maskrcnn-benchmark builds them: body + FPN P3..P7). `GlipConfig.swin` is read only for `swin`.
 */
export type VisualBackboneConfig = { kind: 'swin' } | { kind: 'resnet'; resnet: ResNetConfig };

/** FPN neck (`backbone.fpn`): P3..P7. */
export interface FpnConfig {
  outChannels: number; // MODEL.BACKBONE.OUT_CHANNELS
}

/** BERT encoder dims. Hard-coded in GLIP (`BertConfig.from_pretrained('bert-base-uncased')`), not YAML keys. */
export interface BertConfig {
  hiddenSize: number;
  numLayers: number;
  numHeads: number; // cannot be read off weight shapes
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** VLFuse bi-directional attention (MHA-B). embedDim and numHeads are hard-coded in GLIP's VLFuse. */
export interface FusionConfig {
  embedDim: number; // 2048
  numHeads: number; // 8
  visualDim: number; // MODEL.DYHEAD.FUSE_CONFIG.JOINT_EMB_SIZE (v_dim)
  langDim: number; // MODEL.LANGUAGE_BACKBONE.LANG_DIM (l_dim)
}

/** VLDyHead tower (`rpn.head`). */
export interface DyHeadConfig {
  channels: number; // MODEL.DYHEAD.CHANNELS
  numConvs: number; // MODEL.DYHEAD.NUM_CONVS: number of (VLFuse, BertEncoderLayer, DyConv) blocks
  gnGroups: number; // MODEL.GROUP_NORM.NUM_GROUPS
  gnEps: number; // MODEL.GROUP_NORM.EPSILON
  useGn: boolean; // MODEL.DYHEAD.USE_GN
  useDyRelu: boolean; // MODEL.DYHEAD.USE_DYRELU
  useDfConv: boolean; // MODEL.DYHEAD.USE_DFCONV
  useDyFuse: boolean; // MODEL.DYHEAD.USE_DYFUSE (scale-aware attention)
  fusion: FusionConfig;
}

/** Anchor generator and box coder (one anchor per location for GLIP-T). */
export interface AnchorConfig {
  sizes: number[]; // MODEL.RPN.ANCHOR_SIZES, one per level P3..P7
  strides: number[]; // MODEL.RPN.ANCHOR_STRIDE
  aspectRatios: number[]; // MODEL.RPN.ASPECT_RATIOS
  octave: number; // MODEL.RPN.OCTAVE
  scalesPerOctave: number; // MODEL.RPN.SCALES_PER_OCTAVE
  boxCoderWeights: [number, number, number, number]; // hard-coded (10, 10, 5, 5) in vldyhead.py
}

/** ATSSPostProcessor thresholds. */
export interface PostprocessConfig {
  inferenceTh: number; // MODEL.ATSS.INFERENCE_TH
  preNmsTopN: number; // MODEL.ATSS.PRE_NMS_TOP_N (per level)
  nmsTh: number; // MODEL.ATSS.NMS_TH
  detectionsPerImg: number; // MODEL.ATSS.DETECTIONS_PER_IMG
}

/** Image preprocessing. Mean/std are in the network's channel order (B, G, R when toBgr255). */
export interface InputConfig {
  minSizeTest: number; // INPUT.MIN_SIZE_TEST
  maxSizeTest: number; // INPUT.MAX_SIZE_TEST
  pixelMean: [number, number, number]; // INPUT.PIXEL_MEAN
  pixelStd: [number, number, number]; // INPUT.PIXEL_STD
  toBgr255: boolean; // INPUT.TO_BGR255
  sizeDivisibility: number; // DATALOADER.SIZE_DIVISIBILITY
}

/** Text side. */
export interface TextConfig {
  maxQueryLen: number; // MODEL.LANGUAGE_BACKBONE.MAX_QUERY_LEN
}

export interface GlipConfig {
  backbone: VisualBackboneConfig;
  swin: SwinConfig;
  fpn: FpnConfig;
  bert: BertConfig;
  dyhead: DyHeadConfig;
  anchors: AnchorConfig;
  postprocess: PostprocessConfig;
  input: InputConfig;
  text: TextConfig;
}

/** bert-base-uncased, which GLIP hard-codes. */
export function bertBaseUncased(): BertConfig {
  return {
    hiddenSize: 768,
    numLayers: 12,
    numHeads: 12,
    intermediateSize: 3072,
    vocabSize: 30522,
    maxPositions: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  };
}

/** GLIP-T (Swin-T + BERT-base), as `configs/pretrain/glip_Swin_T_O365_GoldG.yaml` over `defaults.py`. */
export function glipTConfig(): GlipConfig {
  return {
    backbone: { kind: 'swin' },
    swin: { embedDim: 96, depths: [2, 2, 6, 2], numHeads: [3, 6, 12, 24], windowSize: 7, patchSize: 4, mlpRatio: 4, outChannels: [96, 192, 384, 768] },
    fpn: { outChannels: 256 },
    bert: bertBaseUncased(),
    dyhead: {
      channels: 256,
      numConvs: 6,
      gnGroups: 16,
      gnEps: 1e-5,
      useGn: true,
      useDyRelu: true,
      useDfConv: true,
      useDyFuse: true,
      fusion: { embedDim: 2048, numHeads: 8, visualDim: 256, langDim: 768 },
    },
    anchors: {
      sizes: [64, 128, 256, 512, 1024],
      strides: [8, 16, 32, 64, 128],
      aspectRatios: [1.0],
      octave: 2.0,
      scalesPerOctave: 1,
      boxCoderWeights: [10, 10, 5, 5],
    },
    postprocess: { inferenceTh: 0.05, preNmsTopN: 1000, nmsTh: 0.6, detectionsPerImg: 100 },
    input: {
      minSizeTest: 800,
      maxSizeTest: 1333,
      pixelMean: [103.53, 116.28, 123.675],
      pixelStd: [57.375, 57.12, 58.395],
      toBgr255: true,
      sizeDivisibility: 32,
    },
    text: { maxQueryLen: 256 },
  };
}

// ---------------------------------------------------------------------------------------------------
// Official YAML → GlipConfig

type Setter = (c: GlipConfig, v: unknown, key: string) => void;

/** Every official key we read, and where it lands. */
const OFFICIAL_KEYS: Record<string, Setter> = {
  'MODEL.SWINT.EMBED_DIM': (c, v, k) => (c.swin.embedDim = posInt(v, k)),
  'MODEL.SWINT.DEPTHS': (c, v, k) => (c.swin.depths = intList(v, k)),
  'MODEL.SWINT.NUM_HEADS': (c, v, k) => (c.swin.numHeads = intList(v, k)),
  'MODEL.SWINT.WINDOW_SIZE': (c, v, k) => (c.swin.windowSize = posInt(v, k)),
  'MODEL.SWINT.MLP_RATIO': (c, v, k) => (c.swin.mlpRatio = posNum(v, k)),
  'MODEL.SWINT.OUT_CHANNELS': (c, v, k) => (c.swin.outChannels = intList(v, k)),
  'MODEL.BACKBONE.OUT_CHANNELS': (c, v, k) => (c.fpn.outChannels = posInt(v, k)),
  'MODEL.DYHEAD.CHANNELS': (c, v, k) => (c.dyhead.channels = posInt(v, k)),
  'MODEL.DYHEAD.NUM_CONVS': (c, v, k) => (c.dyhead.numConvs = posInt(v, k)),
  'MODEL.DYHEAD.USE_GN': (c, v, k) => (c.dyhead.useGn = bool(v, k)),
  'MODEL.DYHEAD.USE_DYRELU': (c, v, k) => (c.dyhead.useDyRelu = bool(v, k)),
  'MODEL.DYHEAD.USE_DFCONV': (c, v, k) => (c.dyhead.useDfConv = bool(v, k)),
  'MODEL.DYHEAD.USE_DYFUSE': (c, v, k) => (c.dyhead.useDyFuse = bool(v, k)),
  'MODEL.DYHEAD.FUSE_CONFIG.JOINT_EMB_SIZE': (c, v, k) => (c.dyhead.fusion.visualDim = posInt(v, k)),
  'MODEL.LANGUAGE_BACKBONE.LANG_DIM': (c, v, k) => (c.dyhead.fusion.langDim = posInt(v, k)),
  'MODEL.LANGUAGE_BACKBONE.MAX_QUERY_LEN': (c, v, k) => (c.text.maxQueryLen = posInt(v, k)),
  'MODEL.GROUP_NORM.NUM_GROUPS': (c, v, k) => (c.dyhead.gnGroups = posInt(v, k)),
  'MODEL.GROUP_NORM.EPSILON': (c, v, k) => (c.dyhead.gnEps = posNum(v, k)),
  'MODEL.RPN.ANCHOR_SIZES': (c, v, k) => (c.anchors.sizes = numList(v, k)),
  'MODEL.RPN.ANCHOR_STRIDE': (c, v, k) => (c.anchors.strides = numList(v, k)),
  'MODEL.RPN.ASPECT_RATIOS': (c, v, k) => (c.anchors.aspectRatios = numList(v, k)),
  'MODEL.RPN.OCTAVE': (c, v, k) => (c.anchors.octave = posNum(v, k)),
  'MODEL.RPN.SCALES_PER_OCTAVE': (c, v, k) => (c.anchors.scalesPerOctave = posInt(v, k)),
  'MODEL.ATSS.INFERENCE_TH': (c, v, k) => (c.postprocess.inferenceTh = num(v, k)),
  'MODEL.ATSS.PRE_NMS_TOP_N': (c, v, k) => (c.postprocess.preNmsTopN = posInt(v, k)),
  'MODEL.ATSS.NMS_TH': (c, v, k) => (c.postprocess.nmsTh = num(v, k)),
  'MODEL.ATSS.DETECTIONS_PER_IMG': (c, v, k) => (c.postprocess.detectionsPerImg = posInt(v, k)),
  'INPUT.MIN_SIZE_TEST': (c, v, k) => (c.input.minSizeTest = posInt(v, k)),
  'INPUT.MAX_SIZE_TEST': (c, v, k) => (c.input.maxSizeTest = posInt(v, k)),
  'INPUT.PIXEL_MEAN': (c, v, k) => (c.input.pixelMean = triple(v, k)),
  'INPUT.PIXEL_STD': (c, v, k) => (c.input.pixelStd = triple(v, k)),
  'INPUT.TO_BGR255': (c, v, k) => (c.input.toBgr255 = bool(v, k)),
  'DATALOADER.SIZE_DIVISIBILITY': (c, v, k) => (c.input.sizeDivisibility = posInt(v, k)),
};

/** MODEL.BACKBONE.CONV_BODY values implemented, and the ResNet stage blocks of each (resnet.py's stage specs). */
const CONV_BODIES: Record<string, number[] | 'swin'> = {
  'SWINT-FPN-RETINANET': 'swin',
  'R-50-FPN-RETINANET': [3, 4, 6, 3],
  'R-101-FPN-RETINANET': [3, 4, 23, 3],
};

/** maskrcnn_benchmark's defaults.py values of the MODEL.RESNETS keys we read. */
function defaultResNet(stageBlocks: number[]): ResNetConfig {
  return { stageBlocks, stemOutChannels: 64, numGroups: 1, widthPerGroup: 64, strideIn1x1: true, res2OutChannels: 256 };
}

type ResNetSetter = (r: ResNetConfig, v: unknown, key: string) => void;

/** The MODEL.RESNETS keys we read (used when CONV_BODY is a ResNet). */
const RESNET_KEYS: Record<string, ResNetSetter> = {
  'MODEL.RESNETS.STEM_OUT_CHANNELS': (r, v, k) => (r.stemOutChannels = posInt(v, k)),
  'MODEL.RESNETS.NUM_GROUPS': (r, v, k) => (r.numGroups = posInt(v, k)),
  'MODEL.RESNETS.WIDTH_PER_GROUP': (r, v, k) => (r.widthPerGroup = posInt(v, k)),
  'MODEL.RESNETS.STRIDE_IN_1X1': (r, v, k) => (r.strideIn1x1 = bool(v, k)),
  'MODEL.RESNETS.RES2_OUT_CHANNELS': (r, v, k) => (r.res2OutChannels = posInt(v, k)),
};

/** Keys whose value selects a different architecture or semantics than the one implemented here. */
const REQUIRED_VALUES: Record<string, unknown> = {
  'MODEL.META_ARCHITECTURE': 'GeneralizedVLRCNN',
  'MODEL.RPN_ONLY': true,
  'MODEL.RPN_ARCHITECTURE': 'VLDYHEAD',
  'MODEL.BACKBONE.USE_BN': false,
  'MODEL.BACKBONE.USE_SYNCBN': false,
  'MODEL.BACKBONE.USE_NSYNCBN': false,
  'MODEL.RESNETS.STEM_FUNC': 'StemWithFixedBatchNorm',
  'MODEL.RESNETS.TRANS_FUNC': 'BottleneckWithFixedBatchNorm',
  'MODEL.RESNETS.USE_STEM3X3': false,
  'MODEL.RESNETS.WITH_SE': false,
  'MODEL.RESNETS.USE_AVG_DOWN': false,
  'MODEL.RESNETS.RES5_DILATION': 1,
  'MODEL.SWINT.VERSION': 'v1',
  'MODEL.SWINT.APE': false,
  'MODEL.FPN.USE_GN': false,
  'MODEL.FPN.USE_RELU': false,
  'MODEL.LANGUAGE_BACKBONE.MODEL_TYPE': 'bert-base-uncased',
  'MODEL.LANGUAGE_BACKBONE.N_LAYERS': 1,
  'MODEL.LANGUAGE_BACKBONE.MASK_SPECIAL': false,
  'MODEL.DYHEAD.SCORE_AGG': 'MEAN',
  'MODEL.DYHEAD.FUSE_CONFIG.TYPE': 'MHA-B',
  'MODEL.DYHEAD.FUSE_CONFIG.EARLY_FUSE_ON': true,
  'MODEL.DYHEAD.FUSE_CONFIG.USE_DOT_PRODUCT_TOKEN_LOSS': true,
  'MODEL.DYHEAD.FUSE_CONFIG.USE_FUSED_FEATURES_DOT_PRODUCT': true,
  'MODEL.DYHEAD.FUSE_CONFIG.SEPARATE_BIDIRECTIONAL': false,
  'MODEL.DYHEAD.FUSE_CONFIG.STABLE_SOFTMAX_2D': false,
};

/**
 * Config from an official GLIP YAML: either a full `cfg.dump()` or overrides over GLIP-T's base yaml
 * (keys absent from the text keep their GLIP-T value). BERT dims are not YAML keys in GLIP; pass
 * `bertShim` for a model that is not bert-base-uncased.
 */
export function configFromOfficialYaml(yamlText: string, bertShim?: Partial<BertConfig>): GlipConfig {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw new ConfigError(`the GLIP config is not valid YAML: ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw new ConfigError('the GLIP config YAML must be a mapping of sections (MODEL, INPUT, …)');
  const cfg = glipTConfig();
  let body: number[] | 'swin' = 'swin';
  const resnetValues: [string, unknown][] = [];
  for (const [key, value] of flattenKeys(doc)) {
    if (key in REQUIRED_VALUES && value !== REQUIRED_VALUES[key]) {
      throw new ConfigError(`${key}: ${JSON.stringify(value)} is not supported (only ${JSON.stringify(REQUIRED_VALUES[key])}, the value of the official GLIP-T and ResNet-FPN models)`);
    }
    if (key === 'MODEL.BACKBONE.CONV_BODY') body = convBody(value, key);
    if (key === 'MODEL.RESNETS.STAGE_WITH_DCN' && (!Array.isArray(value) || value.some((d) => d !== false))) {
      throw new ConfigError(`${key}: ${JSON.stringify(value)} is not supported (deformable convs in the ResNet body; only all false)`);
    }
    if (key in RESNET_KEYS) resnetValues.push([key, value]);
    OFFICIAL_KEYS[key]?.(cfg, value, key);
  }
  if (body !== 'swin') {
    const resnet = defaultResNet(body);
    for (const [key, value] of resnetValues) RESNET_KEYS[key](resnet, value, key);
    cfg.backbone = { kind: 'resnet', resnet };
  }
  if (bertShim) cfg.bert = { ...cfg.bert, ...bertShim };
  return checkConsistent(cfg);
}

/** BertConfig from a Hugging Face `config.json`-style object (`hidden_size`, `num_hidden_layers`, …). */
export function bertConfigFromHf(obj: unknown): Partial<BertConfig> {
  if (!isRecord(obj)) throw new ConfigError('a BERT config must be an object');
  const names: [keyof BertConfig, string][] = [
    ['hiddenSize', 'hidden_size'],
    ['numLayers', 'num_hidden_layers'],
    ['numHeads', 'num_attention_heads'],
    ['intermediateSize', 'intermediate_size'],
    ['vocabSize', 'vocab_size'],
    ['maxPositions', 'max_position_embeddings'],
    ['typeVocabSize', 'type_vocab_size'],
    ['layerNormEps', 'layer_norm_eps'],
  ];
  const out: Partial<BertConfig> = {};
  for (const [ours, hf] of names) if (hf in obj) out[ours] = posNum(obj[hf], hf);
  return out;
}

function convBody(v: unknown, key: string): number[] | 'swin' {
  const body = typeof v === 'string' ? CONV_BODIES[v] : undefined;
  if (body === undefined) throw new ConfigError(`${key}: ${JSON.stringify(v)} is not supported (only ${Object.keys(CONV_BODIES).join(', ')})`);
  return body;
}

function* flattenKeys(obj: Record<string, unknown>, prefix = ''): Generator<[string, unknown]> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isRecord(v)) yield* flattenKeys(v, key);
    else yield [key, v];
  }
}

// ---------------------------------------------------------------------------------------------------
// Our config.json → GlipConfig (validated)

/** Validates a parsed `config.json` and returns it typed; throws ConfigError naming the bad field. */
export function parseConfigJson(obj: unknown): GlipConfig {
  const r = record(obj, 'config');
  const swin = record(r.swin, 'swin');
  const fpn = record(r.fpn, 'fpn');
  const bert = record(r.bert, 'bert');
  const dyhead = record(r.dyhead, 'dyhead');
  const fusion = record(dyhead.fusion, 'dyhead.fusion');
  const anchors = record(r.anchors, 'anchors');
  const post = record(r.postprocess, 'postprocess');
  const input = record(r.input, 'input');
  const text = record(r.text, 'text');
  const weights = numList(anchors.boxCoderWeights, 'anchors.boxCoderWeights');
  if (weights.length !== 4) throw new ConfigError('anchors.boxCoderWeights must have 4 numbers');
  return checkConsistent({
    backbone: parseBackbone(r.backbone),
    swin: {
      embedDim: posInt(swin.embedDim, 'swin.embedDim'),
      depths: intList(swin.depths, 'swin.depths'),
      numHeads: intList(swin.numHeads, 'swin.numHeads'),
      windowSize: posInt(swin.windowSize, 'swin.windowSize'),
      patchSize: posInt(swin.patchSize, 'swin.patchSize'),
      mlpRatio: posNum(swin.mlpRatio, 'swin.mlpRatio'),
      outChannels: intList(swin.outChannels, 'swin.outChannels'),
    },
    fpn: { outChannels: posInt(fpn.outChannels, 'fpn.outChannels') },
    bert: {
      hiddenSize: posInt(bert.hiddenSize, 'bert.hiddenSize'),
      numLayers: posInt(bert.numLayers, 'bert.numLayers'),
      numHeads: posInt(bert.numHeads, 'bert.numHeads'),
      intermediateSize: posInt(bert.intermediateSize, 'bert.intermediateSize'),
      vocabSize: posInt(bert.vocabSize, 'bert.vocabSize'),
      maxPositions: posInt(bert.maxPositions, 'bert.maxPositions'),
      typeVocabSize: posInt(bert.typeVocabSize, 'bert.typeVocabSize'),
      layerNormEps: posNum(bert.layerNormEps, 'bert.layerNormEps'),
    },
    dyhead: {
      channels: posInt(dyhead.channels, 'dyhead.channels'),
      numConvs: posInt(dyhead.numConvs, 'dyhead.numConvs'),
      gnGroups: posInt(dyhead.gnGroups, 'dyhead.gnGroups'),
      gnEps: posNum(dyhead.gnEps, 'dyhead.gnEps'),
      useGn: bool(dyhead.useGn, 'dyhead.useGn'),
      useDyRelu: bool(dyhead.useDyRelu, 'dyhead.useDyRelu'),
      useDfConv: bool(dyhead.useDfConv, 'dyhead.useDfConv'),
      useDyFuse: bool(dyhead.useDyFuse, 'dyhead.useDyFuse'),
      fusion: {
        embedDim: posInt(fusion.embedDim, 'dyhead.fusion.embedDim'),
        numHeads: posInt(fusion.numHeads, 'dyhead.fusion.numHeads'),
        visualDim: posInt(fusion.visualDim, 'dyhead.fusion.visualDim'),
        langDim: posInt(fusion.langDim, 'dyhead.fusion.langDim'),
      },
    },
    anchors: {
      sizes: numList(anchors.sizes, 'anchors.sizes'),
      strides: numList(anchors.strides, 'anchors.strides'),
      aspectRatios: numList(anchors.aspectRatios, 'anchors.aspectRatios'),
      octave: posNum(anchors.octave, 'anchors.octave'),
      scalesPerOctave: posInt(anchors.scalesPerOctave, 'anchors.scalesPerOctave'),
      boxCoderWeights: [weights[0], weights[1], weights[2], weights[3]],
    },
    postprocess: {
      inferenceTh: num(post.inferenceTh, 'postprocess.inferenceTh'),
      preNmsTopN: posInt(post.preNmsTopN, 'postprocess.preNmsTopN'),
      nmsTh: num(post.nmsTh, 'postprocess.nmsTh'),
      detectionsPerImg: posInt(post.detectionsPerImg, 'postprocess.detectionsPerImg'),
    },
    input: {
      minSizeTest: posInt(input.minSizeTest, 'input.minSizeTest'),
      maxSizeTest: posInt(input.maxSizeTest, 'input.maxSizeTest'),
      pixelMean: triple(input.pixelMean, 'input.pixelMean'),
      pixelStd: triple(input.pixelStd, 'input.pixelStd'),
      toBgr255: bool(input.toBgr255, 'input.toBgr255'),
      sizeDivisibility: posInt(input.sizeDivisibility, 'input.sizeDivisibility'),
    },
    text: { maxQueryLen: posInt(text.maxQueryLen, 'text.maxQueryLen') },
  });
}

/** `backbone` of a config.json; absent in configs written before the ResNet body existed (Swin). */
function parseBackbone(v: unknown): VisualBackboneConfig {
  if (v === undefined) return { kind: 'swin' };
  const b = record(v, 'backbone');
  if (b.kind === 'swin') return { kind: 'swin' };
  if (b.kind !== 'resnet') throw new ConfigError(`backbone.kind must be "swin" or "resnet", got ${JSON.stringify(b.kind)}`);
  const r = record(b.resnet, 'backbone.resnet');
  return {
    kind: 'resnet',
    resnet: {
      stageBlocks: intList(r.stageBlocks, 'backbone.resnet.stageBlocks'),
      stemOutChannels: posInt(r.stemOutChannels, 'backbone.resnet.stemOutChannels'),
      numGroups: posInt(r.numGroups, 'backbone.resnet.numGroups'),
      widthPerGroup: posInt(r.widthPerGroup, 'backbone.resnet.widthPerGroup'),
      strideIn1x1: bool(r.strideIn1x1, 'backbone.resnet.strideIn1x1'),
      res2OutChannels: posInt(r.res2OutChannels, 'backbone.resnet.res2OutChannels'),
    },
  };
}

/** Cross-field rules every loaded config must satisfy. */
function checkConsistent(c: GlipConfig): GlipConfig {
  if (c.backbone.kind === 'resnet') {
    const r = c.backbone.resnet;
    if (r.stageBlocks.length !== 4) throw new ConfigError(`backbone.resnet.stageBlocks must have 4 stages (C2..C5), got ${r.stageBlocks.length}`);
    if (r.numGroups !== 1) throw new ConfigError(`MODEL.RESNETS.NUM_GROUPS = ${r.numGroups} (ResNeXt grouped convs) is not supported; only 1`);
  }
  const stages = c.swin.depths.length;
  if (c.swin.numHeads.length !== stages || c.swin.outChannels.length !== stages) {
    throw new ConfigError(`swin: depths, numHeads and outChannels must have one entry per stage (${stages})`);
  }
  c.swin.outChannels.forEach((ch, i) => {
    if (ch !== c.swin.embedDim * 2 ** i) throw new ConfigError(`swin.outChannels[${i}] = ${ch}, expected embedDim·2^${i} = ${c.swin.embedDim * 2 ** i}`);
    if (ch % c.swin.numHeads[i] !== 0) throw new ConfigError(`swin stage ${i}: ${ch} channels do not split into ${c.swin.numHeads[i]} heads`);
  });
  if (c.bert.hiddenSize % c.bert.numHeads !== 0) throw new ConfigError(`bert: hiddenSize ${c.bert.hiddenSize} does not split into ${c.bert.numHeads} heads`);
  if (c.dyhead.fusion.embedDim % c.dyhead.fusion.numHeads !== 0) throw new ConfigError('dyhead.fusion: embedDim does not split into numHeads');
  if (c.dyhead.channels % c.dyhead.gnGroups !== 0) throw new ConfigError(`dyhead: ${c.dyhead.channels} channels do not split into ${c.dyhead.gnGroups} GroupNorm groups`);
  if (c.anchors.sizes.length !== c.anchors.strides.length) throw new ConfigError('anchors: sizes and strides must have one entry per level');
  return c;
}

// ---------------------------------------------------------------------------------------------------
// Field validators (the `key` names the field in the error message)

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown, key: string): Record<string, unknown> {
  if (!isRecord(v)) throw new ConfigError(`${key} must be an object`);
  return v;
}

function num(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${key} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function posNum(v: unknown, key: string): number {
  const n = num(v, key);
  if (n <= 0) throw new ConfigError(`${key} must be > 0, got ${n}`);
  return n;
}

function posInt(v: unknown, key: string): number {
  const n = posNum(v, key);
  if (!Number.isInteger(n)) throw new ConfigError(`${key} must be an integer, got ${n}`);
  return n;
}

function bool(v: unknown, key: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function numList(v: unknown, key: string): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`${key} must be a non-empty list of numbers`);
  return v.map((x, i) => num(x, `${key}[${i}]`));
}

function intList(v: unknown, key: string): number[] {
  return numList(v, key).map((x, i) => posInt(x, `${key}[${i}]`));
}

function triple(v: unknown, key: string): [number, number, number] {
  const l = numList(v, key);
  if (l.length !== 3) throw new ConfigError(`${key} must have 3 numbers (one per channel), got ${l.length}`);
  return [l[0], l[1], l[2]];
}
