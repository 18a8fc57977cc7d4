"""GLIP ATSSPostProcessor (reference §3): per level sigmoid -> MEAN over each phrase's tokens -> > INFERENCE_TH
-> x sigmoid(centerness) -> top PRE_NMS_TOP_N -> decode -> clip; then class-aware NMS (IoU > NMS_TH, +1 area
convention) and the DETECTIONS_PER_IMG cut; score = sqrt(p * c). Batch 1."""
import torch

from box_coder import decode


def box_iou_plus1(a, b):
    area_a = (a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
    area_b = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt + 1).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None] - inter)


def class_aware_nms(boxes, scores, labels, thr):
    """Greedy in descending score; suppress IoU > thr with a kept box of the same label. Returns kept indices
    in ascending original order (as ml_nms)."""
    order = torch.argsort(scores, descending=True, stable=True)
    iou = box_iou_plus1(boxes[order], boxes[order])
    same = labels[order][:, None] == labels[order][None, :]
    suppressed = torch.zeros(len(order), dtype=torch.bool)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(order[i].item())
        suppressed |= (iou[i] > thr) & same[i]
    return torch.tensor(sorted(keep), dtype=torch.long)


def postprocess(logits, bbox_reg, centerness, anchors, phrase_tokens, image_hw, cfg):
    """logits: per level [1, A_l, T]; bbox_reg [1, 4, H, W]; centerness [1, 1, H, W]; anchors [A_l, 4];
    phrase_tokens: list (per phrase) of token index lists; image_hw: resized unpadded (h, w).
    -> (boxes [K, 4] xyxy inclusive, scores [K], labels [K] 1-based phrase index)"""
    all_boxes, all_scores, all_labels = [], [], []
    h, w = image_hw
    for lg, reg, ctr, anc in zip(logits, bbox_reg, centerness, anchors):
        p = lg[0].sigmoid()  # [A, T]
        scores = torch.stack([p[:, toks].mean(1) for toks in phrase_tokens], 1)  # [A, P]
        cand = scores > cfg.inference_th
        k = min(int(cand.sum()), cfg.pre_nms_top_n)
        if k == 0:
            continue
        c = ctr[0].permute(1, 2, 0).reshape(-1).sigmoid()
        prod = (scores * c[:, None])[cand]
        top, idx = prod.topk(k)
        loc, cls = cand.nonzero(as_tuple=True)
        loc, cls = loc[idx], cls[idx]
        deltas = reg[0].permute(1, 2, 0).reshape(-1, 4)[loc]
        boxes = decode(deltas, anc[loc])
        boxes[:, 0].clamp_(0, w - 1)
        boxes[:, 1].clamp_(0, h - 1)
        boxes[:, 2].clamp_(0, w - 1)
        boxes[:, 3].clamp_(0, h - 1)
        all_boxes.append(boxes)
        all_scores.append(top.sqrt())
        all_labels.append(cls + 1)
    if not all_boxes:
        return torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.long)
    boxes, scores, labels = torch.cat(all_boxes), torch.cat(all_scores), torch.cat(all_labels)
    keep = class_aware_nms(boxes, scores, labels, cfg.nms_th)
    boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
    n = len(scores)
    if n > cfg.detections_per_img:
        thr = scores.kthvalue(n - cfg.detections_per_img + 1).values
        sel = scores >= thr
        boxes, scores, labels = boxes[sel], scores[sel], labels[sel]
    return boxes, scores, labels
