"""Writes pycocotools-cases.json: random box-evaluation cases scored by the official pycocotools
COCOeval (iouType 'bbox', area 'all', maxDets 100), for coco-eval.test.ts to compare against.

Needs pycocotools importable (pip's, or cocodataset/cocoapi's PythonAPI with its C IoU). Run:
  python3 packages/cli/src/eval/pycocotools-cases.py
Cases cover score ties, several images and categories, categories without ground truth or without
detections, near-threshold IoUs (jittered copies of ground truth) and > 100 detections per image.
"""
import contextlib
import io
import json
import os
import random

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def make_case(rng):
    n_images = rng.randint(1, 4)
    n_cats = rng.randint(1, 4)
    image_ids = rng.sample(range(1, 50), n_images)
    gts, dts = [], []
    for img in image_ids:
        for cat in range(1, n_cats + 1):
            if rng.random() < 0.2:
                continue
            boxes = []
            for _ in range(rng.randint(0, 5)):
                x, y = rng.uniform(0, 200), rng.uniform(0, 200)
                w, h = rng.uniform(4, 80), rng.uniform(4, 80)
                digits = 0 if rng.random() < 0.5 else 3
                x, y, w, h = (round(v, digits) for v in (x, y, w, h))
                boxes.append([x, y, w, h])
                gts.append({'image_id': img, 'category_id': cat, 'bbox': [x, y, w, h]})
            many = rng.random() < 0.08
            for _ in range(rng.randint(0, 130 if many else 6)):
                if boxes and rng.random() < 0.7:
                    x, y, w, h = rng.choice(boxes)
                    j = rng.choice([0.02, 0.1, 0.25])
                    x += rng.gauss(0, j * w); y += rng.gauss(0, j * h)
                    w *= 1 + rng.gauss(0, j); h *= 1 + rng.gauss(0, j)
                    box = [round(v, 3) for v in (x, y, max(w, 1.0), max(h, 1.0))]
                else:
                    box = [round(rng.uniform(a, b), 3) for a, b in ((0, 200), (0, 200), (4, 80), (4, 80))]
                score = rng.choice([0.9, 0.5, 0.3]) if rng.random() < 0.25 else round(rng.random(), 6)
                dts.append({'image_id': img, 'category_id': cat, 'bbox': box, 'score': score})
    if not dts:
        dts.append({'image_id': image_ids[0], 'category_id': 1, 'bbox': [0, 0, 10, 10], 'score': 0.5})
    return image_ids, list(range(1, n_cats + 1)), gts, dts


def score(image_ids, cat_ids, gts, dts):
    gt = COCO()
    gt.dataset = {
        'images': [{'id': i} for i in image_ids],
        'categories': [{'id': c, 'name': f'c{c}'} for c in cat_ids],
        'annotations': [dict(g, id=k + 1, iscrowd=0, area=g['bbox'][2] * g['bbox'][3]) for k, g in enumerate(gts)],
    }
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        dt = gt.loadRes([dict(d) for d in dts])
        ev = COCOeval(gt, dt, 'bbox')
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    precision = ev.eval['precision'][:, :, :, 0, 2]  # [T, R, K] at area all, maxDets 100
    recall = ev.eval['recall'][:, :, 0, 2]  # [T, K]

    def mean_valid(a):
        a = a[a > -1]
        return None if a.size == 0 else float(np.mean(a))

    return {
        'ap': float(ev.stats[0]), 'ap50': float(ev.stats[1]), 'ap75': float(ev.stats[2]), 'ar100': float(ev.stats[8]),
        'perCategory': [{'id': c, 'ap': mean_valid(precision[:, :, k]), 'ap50': mean_valid(precision[0, :, k]),
                         'recall50': mean_valid(recall[0, k]), 'recall': mean_valid(recall[:, k])} for k, c in enumerate(cat_ids)],
    }


def main():
    rng = random.Random(20261129)
    cases = []
    for _ in range(40):
        image_ids, cat_ids, gts, dts = make_case(rng)
        cases.append({'imageIds': image_ids, 'categoryIds': cat_ids, 'groundTruth': gts, 'detections': dts,
                      'expected': score(image_ids, cat_ids, gts, dts)})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pycocotools-cases.json')
    with open(out, 'w') as f:
        json.dump({'source': 'pycocotools COCOeval (cocodataset/cocoapi PythonAPI), bbox, area all, maxDets 100', 'cases': cases}, f)
    print(f'{len(cases)} cases -> {out}')


if __name__ == '__main__':
    main()
