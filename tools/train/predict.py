"""Runs the PyTorch GLIP on a split with each image's `list` prompt and writes COCO results
([{image_id, category_id, bbox: [x, y, w, h], score}]) using GLIP's post-processing, so the TS evaluator
(`pnpm webglip eval --data ... --predictions ...`) scores PyTorch and the engine alike.
Usage: python3 tools/train/predict.py --split val [--checkpoint tools/train/out/glip_nano.pth] [--out FILE]"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from glip_config import load_config  # noqa: E402
from glip_model import GLIP  # noqa: E402
from grounding_data import GroundingSplit, normalize_image, resize_shorter  # noqa: E402
from postprocess import postprocess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load_model(checkpoint, cfg):
    model = GLIP(cfg).eval()
    sd = torch.load(checkpoint, map_location='cpu')['model']
    model.load_state_dict({k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()})
    return model


@torch.no_grad()
def detect(model, cfg, data, image):
    """-> list of (phrase, box xyxy inclusive in original coords, score)"""
    prompt = image['prompts'][0]
    img = data.load_rgb(image)
    w0, h0 = img.size
    resized = resize_shorter(img, cfg.min_size_test)
    w, h = resized.size
    x = normalize_image(np.asarray(resized), cfg)[None]
    ids, phrase_tokens = data.encode_prompt(prompt['caption'], [tuple(p['char_span']) for p in prompt['phrases']])
    ids_t = torch.tensor([ids])
    logits, bbox, ctr, anchors = model(x, ids_t, torch.ones_like(ids_t))
    keep = [i for i, t in enumerate(phrase_tokens) if t]
    boxes, scores, labels = postprocess(logits, bbox, ctr, anchors, [phrase_tokens[i] for i in keep], (h, w), cfg)
    boxes = boxes * torch.tensor([w0 / w, h0 / h, w0 / w, h0 / h])
    return [(prompt['phrases'][keep[l - 1]], b.tolist(), s.item()) for b, s, l in zip(boxes, scores, labels)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--split', default='val')
    ap.add_argument('--data', default=os.path.join(HERE, '../synth/out'))
    ap.add_argument('--checkpoint', default=os.path.join(HERE, 'out/glip_nano.pth'))
    ap.add_argument('--config', default=os.path.join(HERE, 'glip_nano.yaml'))
    ap.add_argument('--bert', default=os.path.join(HERE, 'glip_nano_bert.json'))
    ap.add_argument('--out', default=None)
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--threshold', type=float, default=0.05, help='keep final scores > threshold (as the engine)')
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = load_config(args.config, args.bert)
    model = load_model(args.checkpoint, cfg)
    data = GroundingSplit(args.data, args.split)
    images = data.images[:args.limit] if args.limit else data.images
    results = []
    t0 = time.time()
    for i, image in enumerate(images):
        for phrase, (x1, y1, x2, y2), score in detect(model, cfg, data, image):
            if score > args.threshold:
                results.append({'image_id': image['id'], 'category_id': phrase['category_id'],
                                'bbox': [x1, y1, x2 - x1 + 1, y2 - y1 + 1], 'score': score})
        if (i + 1) % 20 == 0:
            print(f'{i + 1}/{len(images)} {(time.time() - t0) / (i + 1):.2f} s/image', file=sys.stderr)
    out = args.out or os.path.join(HERE, f'out/predictions-{args.split}.json')
    with open(out, 'w') as f:
        json.dump(results, f)
    print(f'{len(results)} detections on {len(images)} images -> {out}', file=sys.stderr)


if __name__ == '__main__':
    main()
