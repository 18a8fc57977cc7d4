"""Loads the case-resnet fixture (official ResNet-50-FPN-RETINANET body + FPN P3-P7, made by
tools/fixtures/case-resnet/make_case_resnet.py) into tools/train/glip_model.py's backbone and compares the stem,
C2..C5 and P3..P7 with the official tensors, for STRIDE_IN_1X1 true (the fixture's config) and false (the
`stride_in_3x3/` tensors, same weights). Usage: python3 tools/train/check_case_resnet.py [case_dir]"""
import os
import sys

import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from glip_config import _flatten, config_from_overrides  # noqa: E402
from glip_model import Backbone  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASE = os.path.join(HERE, '../../packages/core/src/testing/fixtures/case-resnet')
LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7']
# keys of the fixture config that only the head / BERT stand-in read (the backbone check does not build them)
HEAD_KEYS = ('MODEL.DYHEAD', 'MODEL.LANGUAGE_BACKBONE', 'INPUT')


def rel_err(a, b):
    a, b = a.double(), b.double()
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item()


def main():
    case_dir = sys.argv[1] if len(sys.argv) > 1 else CASE
    with open(os.path.join(case_dir, 'config.yaml')) as f:
        flat = {k: v for k, v in _flatten(yaml.safe_load(f)).items() if not k.startswith(HEAD_KEYS)}
    sd = torch.load(os.path.join(case_dir, 'model.pth'), map_location='cpu')['model']
    sd = {k[len('module.backbone.'):]: v for k, v in sd.items()}
    ref = read_safetensors(os.path.join(case_dir, 'tensors.safetensors'))
    torch.set_num_threads(1)
    rows = []
    for prefix, stride_in_1x1 in (('', True), ('stride_in_3x3/', False)):
        cfg = config_from_overrides({**flat, 'MODEL.RESNETS.STRIDE_IN_1X1': stride_in_1x1}, {})
        backbone = Backbone(cfg).eval()
        backbone.load_state_dict(sd, strict=True)
        with torch.no_grad():
            feats, stages = backbone(ref['image.input'])
            stem = backbone.body.stem(ref['image.input'])
        names = [('backbone.body.stem', stem)] + [(f'backbone.body.layer{i + 1}', s) for i, s in enumerate(stages)]
        names += [(f'backbone.fpn.{lv}', f) for lv, f in zip(LEVELS, feats)]
        for name, mine in names:
            if prefix + name in ref:
                rows.append((prefix + name, rel_err(mine, ref[prefix + name])))
    for name, e in rows:
        print(f'{e:.3e}  {name}')
    worst = max(e for _, e in rows)
    print(f'worst max-rel-error over {len(rows)} tensors: {worst:.3e}')
    return 0 if worst < 1e-4 else 1


if __name__ == '__main__':
    sys.exit(main())
