"""Synthetic grounding data (tools/synth/out/<split>/annotations.json, format in the team brief) -> model inputs:
GLIP image normalisation (BGR x255, mean/std, 32-padding), WordPiece ids and GLIP positive maps from char spans."""
import json
import os
import random

import numpy as np
import torch
from PIL import Image

from wordpiece import WordPiece

VOCAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/data/bert-base-uncased/vocab.txt')


def normalize_image(rgb, cfg):
    """rgb uint8 [H, W, 3] -> [3, Hp, Wp] float (B, G, R order, (x*255 - mean) / std, zero-padded to 32)."""
    x = torch.from_numpy(np.ascontiguousarray(rgb[:, :, ::-1])).float().permute(2, 0, 1)
    x = (x / 255.0) * 255.0
    mean = torch.tensor(cfg.pixel_mean)[:, None, None]
    std = torch.tensor(cfg.pixel_std)[:, None, None]
    x = (x - mean) / std
    h, w = x.shape[1:]
    d = cfg.size_divisibility
    hp, wp = (h + d - 1) // d * d, (w + d - 1) // d * d
    return torch.nn.functional.pad(x, (0, wp - w, 0, hp - h))


def resize_shorter(img, size):
    """GLIPDemo's T.Resize(size): shorter side to `size`, long side int(size * long / short), PIL bilinear."""
    w, h = img.size
    if min(w, h) == size:
        return img
    if w < h:
        ow, oh = size, int(size * h / w)
    else:
        oh, ow = size, int(size * w / h)
    return img.resize((ow, oh), Image.BILINEAR)


def list_caption(names):
    """The data's `list` style: names joined by ". ", closed with "." -> (caption, spans)."""
    caption, spans = '', []
    for i, n in enumerate(names):
        if i > 0:
            caption += ' '
        spans.append((len(caption), len(caption) + len(n)))
        caption += n + '.'
    return caption, spans


class GroundingSplit:
    def __init__(self, root, split):
        self.dir = os.path.join(root, split)
        with open(os.path.join(self.dir, 'annotations.json')) as f:
            d = json.load(f)
        self.images = d['images']
        self.categories = {c['id']: c['name'] for c in d['categories']}
        self.anns = {}
        for a in d['annotations']:
            self.anns.setdefault(a['image_id'], []).append(a)
        self.tok = WordPiece(VOCAB)
        present = {a['category_id'] for a in d['annotations']}
        self.negative_pool = sorted(present)  # only categories seen in this split (never held-out pairs in train)
        # hard negatives: absent names sharing the shape (other colour) or the colour (other shape) of a present one
        self.hard_negatives = False
        self.same_shape, self.same_colour = {}, {}
        for c in d['categories']:
            if c['id'] in present:
                self.same_shape.setdefault(c['shape'], []).append(c['name'])
                self.same_colour.setdefault(c['color'], []).append(c['name'])
        self.attributes = {c['name']: (c['color'], c['shape']) for c in d['categories']}

    def load_rgb(self, image):
        return Image.open(os.path.join(self.dir, image['file_name'])).convert('RGB')

    def encode_prompt(self, caption, spans):
        ids, _, offsets = self.tok.encode(caption)
        return ids, [self.tok.span_tokens(offsets, b, e) for b, e in spans]

    def training_sample(self, idx, size, rng):
        """-> dict(image [3, S, S], ids, phrase_tokens, boxes [G, 4] xyxy inclusive, gt_tokens: list per box)"""
        image = self.images[idx]
        anns = {a['id']: a for a in self.anns.get(image['id'], [])}
        use_list = rng.random() < 0.7
        if use_list:
            prompt = image['prompts'][0]
            names = [p['text'] for p in prompt['phrases']]
            members = [p['annotation_ids'] for p in prompt['phrases']]
            extra = rng.randint(2, 6)
            for cid in rng.sample(self.negative_pool, extra):
                n = self.categories[cid]
                if n not in names:
                    names.append(n)
                    members.append([])
            if self.hard_negatives:
                for p in prompt['phrases']:
                    if not p['annotation_ids']:
                        continue
                    colour, shape = self.attributes[p['text']]
                    for pool, chance in ((self.same_shape[shape], 0.6), (self.same_colour[colour], 0.3)):
                        n = rng.choice(pool)
                        if rng.random() < chance and n not in names:
                            names.append(n)
                            members.append([])
            order = list(range(len(names)))
            rng.shuffle(order)
            names, members = [names[i] for i in order], [members[i] for i in order]
            caption, spans = list_caption(names)
        else:
            prompt = image['prompts'][1]
            caption = prompt['caption']
            spans = [tuple(p['char_span']) for p in prompt['phrases']]
            members = [p['annotation_ids'] for p in prompt['phrases']]
        ids, phrase_tokens = self.encode_prompt(caption, spans)
        box_tokens, box_phrase = {}, {}
        for k, (toks, aids) in enumerate(zip(phrase_tokens, members)):
            for aid in aids:
                box_tokens.setdefault(aid, set()).update(toks)
                box_phrase.setdefault(aid, k)
        img = self.load_rgb(image)
        w0, h0 = img.size
        flip = use_list and rng.random() < 0.5
        if flip:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        if size != w0:
            img = img.resize((size, size), Image.BILINEAR)
        rx, ry = size / w0, size / h0
        boxes, gt_tokens, gt_phrase = [], [], []
        for aid, toks in box_tokens.items():
            x, y, bw, bh = anns[aid]['bbox']
            x1, y1, x2, y2 = x, y, x + bw - 1, y + bh - 1
            if flip:
                x1, x2 = w0 - 1 - x2, w0 - 1 - x1
            boxes.append([x1 * rx, y1 * ry, x2 * rx, y2 * ry])
            gt_tokens.append(sorted(toks))
            gt_phrase.append(box_phrase[aid])
        return dict(rgb=np.asarray(img), ids=ids, boxes=torch.tensor(boxes, dtype=torch.float32).view(-1, 4),
                    gt_tokens=gt_tokens, phrase_tokens=phrase_tokens, gt_phrase=gt_phrase)


def collate(samples, cfg):
    images = torch.stack([normalize_image(s['rgb'], cfg) for s in samples])
    t = max(len(s['ids']) for s in samples)
    ids = torch.zeros(len(samples), t, dtype=torch.long)
    mask = torch.zeros(len(samples), t, dtype=torch.long)
    for i, s in enumerate(samples):
        ids[i, :len(s['ids'])] = torch.tensor(s['ids'])
        mask[i, :len(s['ids'])] = 1
    return images, ids, mask, [s['boxes'] for s in samples], [s['gt_tokens'] for s in samples], \
        [(s['phrase_tokens'], s['gt_phrase']) for s in samples]
