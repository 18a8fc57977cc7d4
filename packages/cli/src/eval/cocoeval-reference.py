"""An independent numpy re-implementation of pycocotools' COCOeval (bbox) and of the LVIS API's LVISEval
with GLIP's fixed-AP protocol, written from their documented algorithms, used to make the expected
numbers of coco-eval.test.ts and lvis-eval.test.ts. pycocotools itself is not installable here (no
PyPI), so this script first checks itself against pycocotools-cases.json, which the real pycocotools
scored (pycocotools-cases.py): every number must agree to 1e-12, else it stops.

Run (numpy only):  python3 packages/cli/src/eval/cocoeval-reference.py
Writes:  coco-crowd-cases.json  (crowds, annotation `area` fields, all three area ranges, maxDets 1/10/100)
         lvis-cases.json        (neg_category_ids, not_exhaustive_category_ids, frequencies, top-k per category)
         fixtures/fixtures-expected.json  (the scores of the annotation fixtures' results files, fixtures/make-fixtures.py)

COCOeval, as documented in cocoapi's cocoeval.py:
  ignore = iscrowd; a gt is also ignored in an area range when its `area` lies outside [lo, hi].
  gts sorted non-ignored first (stable); dts by score (stable), cut to maxDets[-1].
  IoU: inter / (area_d + area_g - inter), for a crowd gt inter / area_d (boxes' w*h).
  Per threshold t, per dt: best = min(t, 1 - 1e-10); scan gts: skip taken non-crowd gts; stop at the
  first ignored gt once a non-ignored one is held; keep the gt of highest IoU >= best (ties: later).
  dt matched to an ignored gt is ignored; an unmatched dt with area outside the range is ignored.
  accumulate: dts of all images (each cut to maxDet) merged by score (mergesort); tp/fp exclude
  ignored dts; recall = tp / npig; precision monotone from the right; sampled at 101 recall points
  with searchsorted(side='left'); categories with npig == 0 stay -1.
LVISEval differs: no crowd; dts of an image are kept only for categories in the image's gt or its
neg_category_ids; unmatched dts of a not_exhaustive category are ignored; no per-image cap in
evaluate_img. GLIP's fixed AP: per category the 10,000 best dts over the whole set, max_dets -1.
"""
import json
import os
import random

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IOU_T = np.linspace(0.5, 0.95, 10)
REC_T = np.linspace(0.0, 1.0, 101)
AREAS = {'all': (0, 1e10), 'small': (0, 32 ** 2), 'medium': (32 ** 2, 96 ** 2), 'large': (96 ** 2, 1e10)}


def iou(d, g, crowd):
    w = min(d[0] + d[2], g[0] + g[2]) - max(d[0], g[0])
    h = min(d[1] + d[3], g[1] + g[3]) - max(d[1], g[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (d[2] * d[3] if crowd else d[2] * d[3] + g[2] * g[3] - inter)


def evaluate_img(gts, dts, rng, max_det, not_exhaustive, use_crowd):
    if not gts and not dts:
        return None
    crowd0 = [bool(g.get('iscrowd', 0)) and use_crowd for g in gts]
    area = [g.get('area', g['bbox'][2] * g['bbox'][3]) for g in gts]
    ig0 = [int(c or a < rng[0] or a > rng[1]) for c, a in zip(crowd0, area)]
    gi = np.argsort(ig0, kind='mergesort')
    gts = [gts[i] for i in gi]
    g_ig = np.array([ig0[i] for i in gi], dtype=bool)
    crowd = [crowd0[i] for i in gi]
    di = np.argsort([-d['score'] for d in dts], kind='mergesort')
    dts = [dts[i] for i in di][:max_det]
    T, D, G = len(IOU_T), len(dts), len(gts)
    ious = np.array([[iou(d['bbox'], g['bbox'], crowd[j]) for j, g in enumerate(gts)] for d in dts]).reshape(D, G)
    dtm = np.zeros((T, D), dtype=bool)
    dt_ig = np.zeros((T, D), dtype=bool)
    for t, thr in enumerate(IOU_T):
        gtm = np.zeros(G, dtype=bool)
        for d in range(D):
            best, m = min(thr, 1 - 1e-10), -1
            for j in range(G):
                if gtm[j] and not crowd[j]:
                    continue
                if m > -1 and not g_ig[m] and g_ig[j]:
                    break
                if ious[d, j] < best:
                    continue
                best, m = ious[d, j], j
            if m == -1:
                continue
            dtm[t, d] = True
            dt_ig[t, d] = g_ig[m]
            gtm[m] = True
    d_area = np.array([d['bbox'][2] * d['bbox'][3] for d in dts])
    out = np.logical_or(d_area < rng[0], d_area > rng[1]) | not_exhaustive
    dt_ig = dt_ig | (~dtm & out[None, :])
    return {'scores': np.array([d['score'] for d in dts]), 'dtm': dtm, 'dt_ig': dt_ig, 'g_ig': g_ig}


def accumulate(evals, max_det):
    evals = [e for e in evals if e is not None]
    if not evals:
        return None
    g_ig = np.concatenate([e['g_ig'] for e in evals])
    npig = int(np.count_nonzero(~g_ig))
    if npig == 0:
        return None
    scores = np.concatenate([e['scores'][:max_det] for e in evals])
    order = np.argsort(-scores, kind='mergesort')
    dtm = np.concatenate([e['dtm'][:, :max_det] for e in evals], axis=1)[:, order]
    dt_ig = np.concatenate([e['dt_ig'][:, :max_det] for e in evals], axis=1)[:, order]
    tps = np.cumsum(dtm & ~dt_ig, axis=1).astype(float)
    fps = np.cumsum(~dtm & ~dt_ig, axis=1).astype(float)
    precision = np.zeros((len(IOU_T), len(REC_T)))
    recall = np.zeros(len(IOU_T))
    for t in range(len(IOU_T)):
        tp, fp = tps[t], fps[t]
        nd = len(tp)
        rc = tp / npig
        pr = (tp / (fp + tp + np.spacing(1))).tolist()
        recall[t] = rc[-1] if nd else 0
        for i in range(nd - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        idx = np.searchsorted(rc, REC_T, side='left')
        precision[t] = [pr[i] if i < nd else 0 for i in idx]
    return precision, recall


def curves(image_ids, cat_ids, gts, dts, max_dets, use_crowd=True, keep=None, not_exhaustive=lambda i, c: False):
    out = {}
    for c in cat_ids:
        for a, rng in AREAS.items():
            evals = []
            for i in sorted(set(image_ids)):
                g = [x for x in gts if x['image_id'] == i and x['category_id'] == c]
                d = [x for x in dts if x['image_id'] == i and x['category_id'] == c and (keep is None or keep(i, c))]
                evals.append(evaluate_img(g, d, rng, max(max_dets), not_exhaustive(i, c), use_crowd))
            out[c, a] = [accumulate(evals, m) for m in max_dets]
    return out


def mean_or_none(values):
    values = [v for v in values if v is not None]
    return None if not values else float(np.mean(np.concatenate([np.ravel(v) for v in values])))


def ap(cv, cats, area='all', m=-1, t=None):
    return mean_or_none([None if cv[c, area][m] is None else (cv[c, area][m][0] if t is None else cv[c, area][m][0][t]) for c in cats])


def ar(cv, cats, area='all', m=-1):
    return mean_or_none([None if cv[c, area][m] is None else cv[c, area][m][1] for c in cats])


def coco_expected(case):
    cats = case['categoryIds']
    cv = curves(case['imageIds'], cats, case['groundTruth'], case['detections'], [1, 10, 100])
    per = []
    for c in cats:
        r = cv[c, 'all'][2]
        per.append({'id': c, 'ap': None if r is None else float(r[0].mean()), 'ap50': None if r is None else float(r[0][0].mean()),
                    'ap75': None if r is None else float(r[0][5].mean()),
                    'recall50': None if r is None else float(r[1][0]), 'recall': None if r is None else float(r[1].mean())})
    return {'ap': ap(cv, cats), 'ap50': ap(cv, cats, t=0), 'ap75': ap(cv, cats, t=5), 'apSmall': ap(cv, cats, 'small'),
            'apMedium': ap(cv, cats, 'medium'), 'apLarge': ap(cv, cats, 'large'), 'ar1': ar(cv, cats, m=0), 'ar10': ar(cv, cats, m=1),
            'ar100': ar(cv, cats), 'arSmall': ar(cv, cats, 'small'), 'arMedium': ar(cv, cats, 'medium'), 'arLarge': ar(cv, cats, 'large'),
            'perCategory': per}


def lvis_expected(case, topk):
    imgs = {i['id']: i for i in case['images']}
    cats = sorted(c['id'] for c in case['categories'])
    gts, dts = case['annotations'], case['detections']
    by_cat = {}
    for d in dts:
        by_cat.setdefault(d['category_id'], []).append(d)
    kept = []
    for c in by_cat:
        kept += sorted(by_cat[c], key=lambda d: -d['score'])[:topk]  # python's sort is stable
    present = {}
    for g in gts:
        present.setdefault(g['image_id'], set()).add(g['category_id'])
    keep = lambda i, c: c in present.get(i, set()) or c in imgs[i]['neg_category_ids']
    ne = lambda i, c: c in imgs[i]['not_exhaustive_category_ids']
    cv = curves(list(imgs), cats, gts, kept, [10 ** 9], use_crowd=False, keep=keep, not_exhaustive=ne)
    freq = lambda f: [c['id'] for c in case['categories'] if c['frequency'] == f]
    return {'ap': ap(cv, cats), 'ap50': ap(cv, cats, t=0), 'ap75': ap(cv, cats, t=5), 'apSmall': ap(cv, cats, 'small'),
            'apMedium': ap(cv, cats, 'medium'), 'apLarge': ap(cv, cats, 'large'), 'apRare': ap(cv, freq('r')),
            'apCommon': ap(cv, freq('c')), 'apFrequent': ap(cv, freq('f')), 'ar': ar(cv, cats)}


def jittered(rng, box, j):
    x, y, w, h = box
    return [round(v, 3) for v in (x + rng.gauss(0, j * w), y + rng.gauss(0, j * h), max(w * (1 + rng.gauss(0, j)), 1.0), max(h * (1 + rng.gauss(0, j)), 1.0))]


def random_box(rng):
    # sides from 3 to 200 px: small (< 32²), medium and large (> 96²) areas all occur
    w, h = rng.choice([rng.uniform(3, 30), rng.uniform(30, 100), rng.uniform(90, 200)]), rng.uniform(3, 200)
    return [round(rng.uniform(0, 300), 2), round(rng.uniform(0, 300), 2), round(w, 2), round(h, 2)]


def make_coco_case(rng):
    image_ids = rng.sample(range(1, 60), rng.randint(1, 4))
    cat_ids = list(range(1, rng.randint(2, 5)))
    gts, dts = [], []
    for img in image_ids:
        for c in cat_ids:
            boxes = [random_box(rng) for _ in range(rng.randint(0, 5))]
            for b in boxes:
                crowd = int(rng.random() < 0.2)
                area = round(b[2] * b[3] * rng.uniform(0.5, 1.0), 2)  # a mask's area: less than its box's
                gts.append({'image_id': img, 'category_id': c, 'bbox': b, 'area': area, 'iscrowd': crowd})
            for _ in range(rng.randint(0, 150 if rng.random() < 0.08 else 8)):
                if boxes and rng.random() < 0.7:
                    box = jittered(rng, rng.choice(boxes), rng.choice([0.02, 0.1, 0.3]))
                    if rng.random() < 0.2:  # a part of a (crowd) region
                        box = [box[0], box[1], round(box[2] / 3, 3), round(box[3] / 3, 3)]
                else:
                    box = random_box(rng)
                score = rng.choice([0.9, 0.5]) if rng.random() < 0.2 else round(rng.random(), 6)
                dts.append({'image_id': img, 'category_id': c, 'bbox': box, 'score': score})
    return {'imageIds': image_ids, 'categoryIds': cat_ids, 'groundTruth': gts, 'detections': dts}


def make_lvis_case(rng):
    n_cats = rng.randint(3, 7)
    cats = [{'id': c, 'name': f'thing_{c}', 'frequency': rng.choice('rcf')} for c in range(1, n_cats + 1)]
    images, gts, dts = [], [], []
    for img in rng.sample(range(1, 60), rng.randint(1, 4)):
        present = [c for c in range(1, n_cats + 1) if rng.random() < 0.5]
        absent = [c for c in range(1, n_cats + 1) if c not in present]
        neg = [c for c in absent if rng.random() < 0.5]
        ne = [c for c in present if rng.random() < 0.4]
        images.append({'id': img, 'neg_category_ids': neg, 'not_exhaustive_category_ids': ne})
        for c in range(1, n_cats + 1):
            boxes = [random_box(rng) for _ in range(rng.randint(1, 4))] if c in present else []
            for b in boxes:
                gts.append({'image_id': img, 'category_id': c, 'bbox': b, 'area': round(b[2] * b[3] * rng.uniform(0.5, 1.0), 2)})
            for _ in range(rng.randint(0, 7)):
                box = jittered(rng, rng.choice(boxes), rng.choice([0.02, 0.1, 0.3])) if boxes and rng.random() < 0.7 else random_box(rng)
                dts.append({'image_id': img, 'category_id': c, 'bbox': box, 'score': round(rng.random(), 6)})
    return {'images': images, 'categories': cats, 'annotations': gts, 'detections': dts}


def check_against_pycocotools():
    with open(os.path.join(HERE, 'pycocotools-cases.json')) as f:
        cases = json.load(f)['cases']
    for k, case in enumerate(cases):
        ours = coco_expected(case)
        theirs = case['expected']
        pairs = [(ours[n], theirs[n]) for n in ('ap', 'ap50', 'ap75', 'ar100')]
        for o, t in zip(ours['perCategory'], theirs['perCategory']):
            pairs += [(o[n], t[n]) for n in ('ap', 'ap50', 'recall50', 'recall')]
        for o, t in pairs:
            t = None if t is None or t == -1 else t
            if (o is None) != (t is None) or (o is not None and abs(o - t) > 1e-12):
                raise SystemExit(f'case {k}: this reference gives {o}, pycocotools {t}: fix the reference first')
    print(f'reference reproduces pycocotools on all {len(cases)} cases of pycocotools-cases.json')


def main():
    check_against_pycocotools()
    rng = random.Random(20261207)
    coco = []
    for _ in range(30):
        case = make_coco_case(rng)
        coco.append(dict(case, expected=coco_expected(case)))
    crowds = sum(g['iscrowd'] for c in coco for g in c['groundTruth'])
    with open(os.path.join(HERE, 'coco-crowd-cases.json'), 'w') as f:
        json.dump({'source': 'cocoeval-reference.py (checked against pycocotools on pycocotools-cases.json)', 'cases': coco}, f)
    lvis = []
    for k in range(20):
        case = make_lvis_case(rng)
        topk = 3 if k % 4 == 0 else 10000  # a small cap in some cases, so the top-k cut is exercised
        lvis.append(dict(case, topk=topk, expected=lvis_expected(case, topk)))
    with open(os.path.join(HERE, 'lvis-cases.json'), 'w') as f:
        json.dump({'source': 'cocoeval-reference.py, LVISEval rules + GLIP fixed AP', 'cases': lvis}, f)
    print(f'{len(coco)} COCO cases ({crowds} crowd regions), {len(lvis)} LVIS cases written')
    score_fixtures()


def score_fixtures():
    fixtures = os.path.join(HERE, 'fixtures')
    load = lambda name: json.load(open(os.path.join(fixtures, name)))
    coco, coco_results = load('coco-instances.json'), load('coco-instances.glip-nano-results.json')
    lvis, lvis_results = load('lvis-v1.json'), load('lvis-v1.results.json')
    expected = {
        'coco-instances.glip-nano-results.json': coco_expected({
            'imageIds': [i['id'] for i in coco['images']], 'categoryIds': [c['id'] for c in coco['categories']],
            'groundTruth': coco['annotations'], 'detections': coco_results}),
        'lvis-v1.results.json': lvis_expected(dict(lvis, detections=lvis_results), 10000),
    }
    with open(os.path.join(fixtures, 'fixtures-expected.json'), 'w') as f:
        json.dump({'source': 'cocoeval-reference.py', 'expected': expected}, f, indent=1)
    print('fixtures/fixtures-expected.json written')


if __name__ == '__main__':
    main()
