"""Loads the case-a fixture checkpoint into tools/train/glip_model.py and compares every captured stage with the
official tensors (/work/shared/fixtures/case-a). Usage: python3 tools/train/check_case_a.py [fixtures_dir]"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from glip_config import config_from_overrides  # noqa: E402
from glip_model import GLIP  # noqa: E402
from postprocess import postprocess  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7']


def rel_err(a, b):
    a, b = a.double(), b.double()
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item()


def check_postprocess(run, case, cfg, ref, logits, bbox, ctr, anchors, rows):
    """GLIP post-processing on our head outputs vs the official after-NMS detections (as sets, score-desc)."""
    info = next(r for r in case['runs'] if r['name'] == run)
    phrase_tokens = [info['positive_map_label_to_token'][str(k + 1)] for k in range(len(info['positive_map_label_to_token']))]
    h, w = ref['image.image_sizes'][0].tolist()
    boxes, scores, labels = postprocess(logits, bbox, ctr, anchors, phrase_tokens, (h, w), cfg)
    order = torch.argsort(scores, descending=True)
    boxes, scores, labels = boxes[order], scores[order], labels[order]
    rb, rs, rl = ref[f'{run}/post.after_nms.boxes'], ref[f'{run}/post.after_nms.scores'], ref[f'{run}/post.after_nms.labels']
    same_n = len(scores) == len(rs)
    n = min(len(scores), len(rs))
    box_err = (boxes[:n] - rb[:n]).abs().max().item() if n else 0.0
    score_err = (scores[:n] - rs[:n]).abs().max().item() if n else 0.0
    labels_ok = bool((labels[:n] == rl[:n]).all())
    rows.append((f'{run}/post.after_nms: count {len(scores)} vs {len(rs)}, labels equal {labels_ok}, '
                 f'max |box| diff {box_err:.2e}, max |score| diff', score_err if same_n and labels_ok else 1.0))


def main():
    fixtures = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/fixtures'
    case_dir = os.path.join(fixtures, 'case-a')
    case = json.load(open(os.path.join(case_dir, 'case.json')))
    shim = dict(case['config']['bert_config_shim'])
    cfg = config_from_overrides(case['config']['overrides'], shim)
    model = GLIP(cfg).eval()
    sd = torch.load(os.path.join(case_dir, 'model.pth'), map_location='cpu')['model']
    sd = {k[len('module.'):]: v for k, v in sd.items()}
    missing, unexpected = model.load_state_dict(sd, strict=True), None
    ref = read_safetensors(os.path.join(case_dir, 'tensors.safetensors'))
    torch.set_num_threads(1)
    worst = 0.0
    rows = []

    def cmp(name, mine):
        nonlocal worst
        e = rel_err(mine, ref[name])
        worst = max(worst, e)
        rows.append((name, e))

    for run in ('prompt', 'free'):
        ids = ref[f'{run}/tokens.input_ids']
        mask = ref[f'{run}/tokens.attention_mask']
        trace = {}
        with torch.no_grad():
            logits, bbox, ctr, anchors = model(ref['image.input'], ids, mask, trace)
        if run == 'prompt':
            for i, n in enumerate(['stage2', 'stage3', 'stage4', 'stage5']):
                cmp(f'backbone.swin.{n}', trace['body'][i])
            for i, lv in enumerate(LEVELS):
                cmp(f'backbone.fpn.{lv}', trace['fpn'][i])
                cmp(f'anchors.{lv}', anchors[i])
        cmp(f'{run}/lang.bert.embeddings', trace['lang'][0])
        cmp(f'{run}/lang.hidden', trace['lang'][-1])
        for k in range(cfg.dyhead_num_convs):
            vis, lang = trace[f'dyhead.{k}.fuse']
            cmp(f'{run}/dyhead.{k}.fuse.lang_hidden', lang)
            cmp(f'{run}/dyhead.{k}.bert.lang_hidden', trace[f'dyhead.{k}.bert'])
            for i, lv in enumerate(LEVELS):
                if f'{run}/dyhead.{k}.fuse.visual.{lv}' in ref:
                    cmp(f'{run}/dyhead.{k}.fuse.visual.{lv}', vis[i])
                    cmp(f'{run}/dyhead.{k}.dyconv.visual.{lv}', trace[f'dyhead.{k}.dyconv'][i])
        n_tok = ref[f'{run}/head.dot_product_logits.p3'].shape[2]
        for i, lv in enumerate(LEVELS):
            cmp(f'{run}/head.dot_product_logits.{lv}', logits[i][:, :, :n_tok])
            cmp(f'{run}/head.bbox_reg.{lv}', bbox[i])
            cmp(f'{run}/head.centerness.{lv}', ctr[i])
        check_postprocess(run, case, cfg, ref, logits, bbox, ctr, anchors, rows)
    for name, e in rows:
        print(f'{e:.3e}  {name}')
    print(f'worst max-rel-error over {len(rows)} tensors: {worst:.3e}')
    return 0 if worst < 1e-4 else 1


if __name__ == '__main__':
    sys.exit(main())
