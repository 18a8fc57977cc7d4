"""Quick COCO box AP (AP@[.5:.95], AP50, 101-point interpolation, maxDets 100, area 'all') of a results file on a
split, for monitoring while training. The reference evaluator is the TS one (`pnpm webglip eval`).
Usage: python3 tools/train/coco_ap.py ANNOTATIONS.json RESULTS.json [--limit N]"""
import json
import sys

import numpy as np


def iou_xywh(d, g):
    dx1, dy1, dx2, dy2 = d[:, 0], d[:, 1], d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]
    gx1, gy1, gx2, gy2 = g[:, 0], g[:, 1], g[:, 0] + g[:, 2], g[:, 1] + g[:, 3]
    iw = np.clip(np.minimum(dx2[:, None], gx2[None]) - np.maximum(dx1[:, None], gx1[None]), 0, None)
    ih = np.clip(np.minimum(dy2[:, None], gy2[None]) - np.maximum(dy1[:, None], gy1[None]), 0, None)
    inter = iw * ih
    return inter / (d[:, 2:3] * d[:, 3:4] + (g[:, 2] * g[:, 3])[None] - inter)


def evaluate(anns, dets, image_ids):
    thrs = np.linspace(0.5, 0.95, 10)
    cats = sorted({a['category_id'] for a in anns})
    aps = np.full((len(thrs), len(cats)), np.nan)
    for ci, c in enumerate(cats):
        scores, tps, n_gt = [], [[] for _ in thrs], 0
        for img in image_ids:
            g = np.array([a['bbox'] for a in anns if a['image_id'] == img and a['category_id'] == c], dtype=float).reshape(-1, 4)
            ds = sorted([d for d in dets if d['image_id'] == img and d['category_id'] == c], key=lambda d: -d['score'])[:100]
            n_gt += len(g)
            if not ds:
                continue
            dd = np.array([d['bbox'] for d in ds], dtype=float)
            ious = iou_xywh(dd, g) if len(g) else np.zeros((len(ds), 0))
            scores += [d['score'] for d in ds]
            for ti, t in enumerate(thrs):
                used = np.zeros(len(g), bool)
                for di in range(len(ds)):
                    best, bj = t - 1e-10, -1
                    for j in range(len(g)):
                        if not used[j] and ious[di, j] >= best:
                            best, bj = ious[di, j], j
                    if bj >= 0:
                        used[bj] = True
                    tps[ti].append(bj >= 0)
        if n_gt == 0:
            continue
        order = np.argsort(-np.array(scores), kind='mergesort')
        for ti in range(len(thrs)):
            tp = np.array(tps[ti], dtype=float)[order]
            ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
            rec = ctp / n_gt
            prec = ctp / np.maximum(ctp + cfp, 1e-12)
            for k in range(len(prec) - 2, -1, -1):
                prec[k] = max(prec[k], prec[k + 1])
            rs = np.linspace(0, 1, 101)
            idx = np.searchsorted(rec, rs, side='left')
            q = np.array([prec[i] if i < len(prec) else 0.0 for i in idx])
            aps[ti, ci] = q.mean()
    return np.nanmean(aps), np.nanmean(aps[0]), np.nanmean(aps[5])


def main():
    data = json.load(open(sys.argv[1]))
    dets = json.load(open(sys.argv[2]))
    image_ids = sorted({d['image_id'] for d in dets} | {im['id'] for im in data['images']})
    if '--limit' in sys.argv:
        image_ids = [im['id'] for im in data['images']][:int(sys.argv[sys.argv.index('--limit') + 1])]
    anns = [a for a in data['annotations'] if a['image_id'] in set(image_ids)]
    dets = [d for d in dets if d['image_id'] in set(image_ids)]
    ap, ap50, ap75 = evaluate(anns, dets, image_ids)
    print(f'AP {ap:.4f}  AP50 {ap50:.4f}  AP75 {ap75:.4f}  ({len(image_ids)} images, {len(dets)} detections)')


if __name__ == '__main__':
    main()
