"""GLIP's BoxCoder (weights 10,10,5,5; TO_REMOVE = 1: boxes are inclusive pixel indices, width = x2 - x1 + 1)."""
import math

import torch

WEIGHTS = (10.0, 10.0, 5.0, 5.0)
CLIP = math.log(1000.0 / 16)


def encode(gt, anchors):
    """gt, anchors [K, 4] xyxy -> deltas [K, 4]"""
    wx, wy, ww, wh = WEIGHTS
    aw = anchors[:, 2] - anchors[:, 0] + 1
    ah = anchors[:, 3] - anchors[:, 1] + 1
    ax = (anchors[:, 2] + anchors[:, 0]) / 2
    ay = (anchors[:, 3] + anchors[:, 1]) / 2
    gw = gt[:, 2] - gt[:, 0] + 1
    gh = gt[:, 3] - gt[:, 1] + 1
    gx = (gt[:, 2] + gt[:, 0]) / 2
    gy = (gt[:, 3] + gt[:, 1]) / 2
    return torch.stack([wx * (gx - ax) / aw, wy * (gy - ay) / ah, ww * torch.log(gw / aw), wh * torch.log(gh / ah)], 1)


def decode(deltas, anchors):
    """deltas, anchors [K, 4] -> boxes [K, 4] xyxy"""
    wx, wy, ww, wh = WEIGHTS
    aw = anchors[:, 2] - anchors[:, 0] + 1
    ah = anchors[:, 3] - anchors[:, 1] + 1
    ax = (anchors[:, 2] + anchors[:, 0]) / 2
    ay = (anchors[:, 3] + anchors[:, 1]) / 2
    dx, dy = deltas[:, 0] / wx, deltas[:, 1] / wy
    dw = torch.clamp(deltas[:, 2] / ww, max=CLIP)
    dh = torch.clamp(deltas[:, 3] / wh, max=CLIP)
    cx, cy = dx * aw + ax, dy * ah + ay
    w, h = torch.exp(dw) * aw, torch.exp(dh) * ah
    return torch.stack([cx - 0.5 * (w - 1), cy - 0.5 * (h - 1), cx + 0.5 * (w - 1), cy + 0.5 * (h - 1)], 1)
