"""GLIP model config for the PyTorch training tools: official maskrcnn_benchmark YAML keys (overrides on top of
the GLIP-T values, reference §1.2) plus the BERT dims, which GLIP hard-codes and we keep in a JSON file."""
import json
from dataclasses import dataclass, field
from typing import List

import yaml


@dataclass
class BertDims:
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    vocab_size: int = 30522
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12


# MODEL.BACKBONE.CONV_BODY -> ResNet bottleneck blocks per stage (maskrcnn_benchmark resnet.py stage specs)
RESNET_STAGE_BLOCKS = {'R-50-FPN-RETINANET': [3, 4, 6, 3], 'R-101-FPN-RETINANET': [3, 4, 23, 3]}


@dataclass
class GlipConfig:
    conv_body: str = 'SWINT-FPN-RETINANET'
    resnet_stem_out_channels: int = 64
    resnet_num_groups: int = 1
    resnet_width_per_group: int = 64
    resnet_stride_in_1x1: bool = True
    resnet_res2_out_channels: int = 256
    swin_embed_dim: int = 96
    swin_depths: List[int] = field(default_factory=lambda: [2, 2, 6, 2])
    swin_num_heads: List[int] = field(default_factory=lambda: [3, 6, 12, 24])
    swin_window_size: int = 7
    swin_mlp_ratio: float = 4.0
    swin_out_channels: List[int] = field(default_factory=lambda: [96, 192, 384, 768])
    fpn_channels: int = 256
    dyhead_channels: int = 256
    dyhead_num_convs: int = 6
    gn_groups: int = 16
    joint_emb_size: int = 256
    lang_dim: int = 768
    fusion_embed_dim: int = 2048  # hard-coded in GLIP's VLFuse
    fusion_heads: int = 8  # hard-coded in GLIP's VLFuse
    anchor_sizes: List[float] = field(default_factory=lambda: [64, 128, 256, 512, 1024])
    anchor_strides: List[int] = field(default_factory=lambda: [8, 16, 32, 64, 128])
    inference_th: float = 0.05
    pre_nms_top_n: int = 1000
    nms_th: float = 0.6
    detections_per_img: int = 100
    min_size_test: int = 800
    max_size_test: int = 1333
    pixel_mean: List[float] = field(default_factory=lambda: [103.53, 116.28, 123.675])  # BGR
    pixel_std: List[float] = field(default_factory=lambda: [57.375, 57.12, 58.395])  # BGR
    size_divisibility: int = 32
    max_query_len: int = 256
    bert: BertDims = field(default_factory=BertDims)

    @property
    def resnet_stage_blocks(self):
        return RESNET_STAGE_BLOCKS[self.conv_body]


# official flat key -> GlipConfig attribute
_KEYS = {
    'MODEL.BACKBONE.CONV_BODY': 'conv_body',
    'MODEL.RESNETS.STEM_OUT_CHANNELS': 'resnet_stem_out_channels',
    'MODEL.RESNETS.NUM_GROUPS': 'resnet_num_groups',
    'MODEL.RESNETS.WIDTH_PER_GROUP': 'resnet_width_per_group',
    'MODEL.RESNETS.STRIDE_IN_1X1': 'resnet_stride_in_1x1',
    'MODEL.RESNETS.RES2_OUT_CHANNELS': 'resnet_res2_out_channels',
    'MODEL.SWINT.EMBED_DIM': 'swin_embed_dim',
    'MODEL.SWINT.DEPTHS': 'swin_depths',
    'MODEL.SWINT.NUM_HEADS': 'swin_num_heads',
    'MODEL.SWINT.WINDOW_SIZE': 'swin_window_size',
    'MODEL.SWINT.MLP_RATIO': 'swin_mlp_ratio',
    'MODEL.SWINT.OUT_CHANNELS': 'swin_out_channels',
    'MODEL.BACKBONE.OUT_CHANNELS': 'fpn_channels',
    'MODEL.DYHEAD.CHANNELS': 'dyhead_channels',
    'MODEL.DYHEAD.NUM_CONVS': 'dyhead_num_convs',
    'MODEL.GROUP_NORM.NUM_GROUPS': 'gn_groups',
    'MODEL.DYHEAD.FUSE_CONFIG.JOINT_EMB_SIZE': 'joint_emb_size',
    'MODEL.LANGUAGE_BACKBONE.LANG_DIM': 'lang_dim',
    'MODEL.LANGUAGE_BACKBONE.MAX_QUERY_LEN': 'max_query_len',
    'MODEL.RPN.ANCHOR_SIZES': 'anchor_sizes',
    'MODEL.RPN.ANCHOR_STRIDE': 'anchor_strides',
    'MODEL.ATSS.INFERENCE_TH': 'inference_th',
    'MODEL.ATSS.PRE_NMS_TOP_N': 'pre_nms_top_n',
    'MODEL.ATSS.NMS_TH': 'nms_th',
    'MODEL.ATSS.DETECTIONS_PER_IMG': 'detections_per_img',
    'INPUT.MIN_SIZE_TEST': 'min_size_test',
    'INPUT.MAX_SIZE_TEST': 'max_size_test',
    'INPUT.PIXEL_MEAN': 'pixel_mean',
    'INPUT.PIXEL_STD': 'pixel_std',
    'DATALOADER.SIZE_DIVISIBILITY': 'size_divisibility',
}


def _flatten(tree, prefix=''):
    out = {}
    for k, v in tree.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(_flatten(v, key + '.'))
        else:
            out[key] = v
    return out


def config_from_overrides(flat_overrides, bert_dims):
    """flat_overrides: {'MODEL.SWINT.EMBED_DIM': 24, ...}; bert_dims: dict with BertDims field names."""
    cfg = GlipConfig()
    for key, value in flat_overrides.items():
        if key not in _KEYS:
            raise KeyError(f'unsupported official config key {key}')
        setattr(cfg, _KEYS[key], list(value) if isinstance(value, (list, tuple)) else value)
    if cfg.conv_body != 'SWINT-FPN-RETINANET' and cfg.conv_body not in RESNET_STAGE_BLOCKS:
        raise KeyError(f'unsupported MODEL.BACKBONE.CONV_BODY {cfg.conv_body}')
    if cfg.resnet_num_groups != 1:
        raise KeyError('MODEL.RESNETS.NUM_GROUPS: only 1 (ungrouped 3x3 convs, as the engine)')
    bert_fields = BertDims.__dataclass_fields__
    cfg.bert = BertDims(**{k: v for k, v in bert_dims.items() if k in bert_fields})
    return cfg


def load_config(yaml_path, bert_json_path):
    with open(yaml_path) as f:
        flat = _flatten(yaml.safe_load(f) or {})
    with open(bert_json_path) as f:
        bert = json.load(f)
    return config_from_overrides(flat, bert)
