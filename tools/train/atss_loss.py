"""GLIP's ATSS training losses: ATSS assignment (top-9 anchors per level by centre distance, IoU >= mean + std,
anchor centre inside the box), token-alignment sigmoid focal loss over the positive map (anchors x tokens),
GIoU box loss weighted by centerness targets, centerness BCE."""
import torch
import torch.nn.functional as F

from box_coder import decode, encode
from postprocess import box_iou_plus1

TOPK = 9


def atss_assign(anchors_per_level, gt):
    """-> matched gt index per anchor [A] (-1 = background)"""
    anchors = torch.cat(anchors_per_level)
    a = anchors.shape[0]
    g = gt.shape[0]
    if g == 0:
        return torch.full((a,), -1, dtype=torch.long)
    ious = box_iou_plus1(anchors, gt)  # [A, G]
    ac = (anchors[:, :2] + anchors[:, 2:]) / 2
    gc = (gt[:, :2] + gt[:, 2:]) / 2
    dist = torch.cdist(ac, gc)  # [A, G]
    cands, start = [], 0
    for lvl in anchors_per_level:
        n = lvl.shape[0]
        _, idx = dist[start:start + n].topk(min(TOPK, n), dim=0, largest=False)
        cands.append(idx + start)
        start += n
    cand = torch.cat(cands)  # [K, G]
    gi = torch.arange(g)[None].expand_as(cand)
    cand_iou = ious[cand, gi]
    thr = cand_iou.mean(0) + cand_iou.std(0)
    is_pos = cand_iou >= thr[None]
    cx, cy = ac[cand, 0], ac[cand, 1]
    inside = torch.stack([cx - gt[None, :, 0], cy - gt[None, :, 1], gt[None, :, 2] - cx, gt[None, :, 3] - cy]).min(0)[0] > 0.01
    is_pos &= inside
    masked = torch.full((a, g), -float('inf'))
    masked[cand[is_pos], gi[is_pos]] = ious[cand[is_pos], gi[is_pos]]
    best, idx = masked.max(1)
    idx[best == -float('inf')] = -1
    return idx


def centerness_target(anchors, gt):
    cx = (anchors[:, 0] + anchors[:, 2]) / 2
    cy = (anchors[:, 1] + anchors[:, 3]) / 2
    l, t, r, b = cx - gt[:, 0], cy - gt[:, 1], gt[:, 2] - cx, gt[:, 3] - cy
    lr = torch.stack([l, r], 1)
    tb = torch.stack([t, b], 1)
    return torch.sqrt((lr.min(1)[0] / lr.max(1)[0]) * (tb.min(1)[0] / tb.max(1)[0]))


def giou_loss(pred, target):
    px1, py1, px2, py2 = pred.unbind(1)
    px2, py2 = torch.max(px1, px2), torch.max(py1, py2)
    tx1, ty1, tx2, ty2 = target.unbind(1)
    pa = (px2 - px1) * (py2 - py1)
    ta = (tx2 - tx1) * (ty2 - ty1)
    iw = (torch.min(px2, tx2) - torch.max(px1, tx1)).clamp(min=0)
    ih = (torch.min(py2, ty2) - torch.max(py1, ty1)).clamp(min=0)
    inter = iw * ih
    union = pa + ta - inter + 1e-7
    ew = torch.max(px2, tx2) - torch.min(px1, tx1)
    eh = torch.max(py2, ty2) - torch.min(py1, ty1)
    enclose = ew * eh + 1e-7
    return 1 - (inter / union - (enclose - union) / enclose)


def token_focal_loss(logits, targets, text_mask, alpha=0.25, gamma=2.0):
    """logits, targets [B, A, T]; text_mask [B, T] -> summed loss over valid tokens"""
    valid = (text_mask > 0)[:, None, :].expand_as(logits)
    x, y = logits[valid], targets[valid]
    p = x.sigmoid()
    ce = F.binary_cross_entropy_with_logits(x, y, reduction='none')
    p_t = p * y + (1 - p) * (1 - y)
    a_t = alpha * y + (1 - alpha) * (1 - y)
    return (a_t * ce * (1 - p_t) ** gamma).sum()


def phrase_ce_loss(logit, pos, matched, phrases):
    """Auxiliary (not GLIP's): at positive anchors, cross-entropy over the prompt's phrases of the mean token logit.
    A purely discriminative signal that breaks the text/visual symmetry of from-scratch training quickly."""
    phrase_tokens, gt_phrase = phrases
    valid = [k for k, t in enumerate(phrase_tokens) if t]
    if len(valid) < 2:
        return None
    col = {k: j for j, k in enumerate(valid)}
    scores = torch.stack([logit[pos][:, phrase_tokens[k]].mean(1) for k in valid], 1)  # [P, K]
    target = torch.tensor([col.get(gt_phrase[g], -100) for g in matched.tolist()])
    return F.cross_entropy(scores, target, ignore_index=-100, reduction='sum')


def glip_losses(logits, bbox_reg, centerness, anchors, mask, gt_boxes, gt_tokens, phrases=None, reg_weight=2.0,
                phrase_ce_weight=1.0):
    """logits: per level [B, A_l, T]; bbox_reg [B, 4, H, W]; centerness [B, 1, H, W]; anchors: per level [A_l, 4];
    gt_boxes: per image [G, 4]; gt_tokens: per image, per box list of token indices."""
    b, _, t = logits[0].shape
    logit = torch.cat(logits, 1)  # [B, A, T]
    reg = torch.cat([r.permute(0, 2, 3, 1).reshape(b, -1, 4) for r in bbox_reg], 1)
    ctr = torch.cat([c.permute(0, 2, 3, 1).reshape(b, -1) for c in centerness], 1)
    all_anchors = torch.cat(anchors)
    targets = torch.zeros_like(logit)
    pos_reg, pos_reg_t, pos_ctr, pos_ctr_t, pos_anchor = [], [], [], [], []
    ce_terms = []
    for i in range(b):
        idx = atss_assign(anchors, gt_boxes[i])
        pos = (idx >= 0).nonzero(as_tuple=True)[0]
        if len(pos) == 0:
            continue
        m = idx[pos]
        tok_map = torch.zeros(len(gt_tokens[i]), t)
        for g, toks in enumerate(gt_tokens[i]):
            tok_map[g, toks] = 1.0
        targets[i, pos] = tok_map[m]
        if phrases is not None and phrase_ce_weight > 0:
            ce = phrase_ce_loss(logit[i], pos, m, phrases[i])
            if ce is not None:
                ce_terms.append(ce)
        gt = gt_boxes[i][m]
        an = all_anchors[pos]
        pos_reg.append(reg[i, pos])
        pos_reg_t.append(encode(gt, an))
        pos_ctr.append(ctr[i, pos])
        pos_ctr_t.append(centerness_target(an, gt))
        pos_anchor.append(an)
    num_pos = max(sum(len(p) for p in pos_ctr), 1)
    cls_loss = token_focal_loss(logit, targets, mask) / num_pos
    if ce_terms:
        cls_loss = cls_loss + phrase_ce_weight * sum(ce_terms) / num_pos
    if not pos_reg:
        zero = logit.sum() * 0
        return cls_loss, zero + reg.sum() * 0, zero + ctr.sum() * 0, 0
    pr, prt, pc, pct, pa = map(torch.cat, (pos_reg, pos_reg_t, pos_ctr, pos_ctr_t, pos_anchor))
    reg_loss = (giou_loss(decode(pr, pa), decode(prt, pa)) * pct).sum() / pct.sum().clamp(min=1e-6)
    ctr_loss = F.binary_cross_entropy_with_logits(pc, pct, reduction='sum') / num_pos
    return cls_loss, reg_weight * reg_loss, ctr_loss, num_pos
