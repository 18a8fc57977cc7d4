"""Trains GLIP-nano on the synthetic grounding scenes with GLIP's ATSS losses, on a wall-clock budget
(warmup + cosine over elapsed time), saving an official-format checkpoint every few minutes.
With --workers 2 it trains data-parallel in two processes (one thread each, gradients averaged over gloo), which
on a 2-core machine sees ~2x the images of one process in the same time.
Usage: python3 tools/train/train.py [--minutes 80] [--workers 2] [--data tools/synth/out] [--out tools/train/out]"""
import argparse
import math
import os
import random
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atss_loss import glip_losses  # noqa: E402
from glip_config import load_config  # noqa: E402
from glip_model import GLIP, BiMultiHeadAttention, DyConv, ModulatedDeformConv  # noqa: E402
from grounding_data import GroundingSplit, collate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def init_weights(model):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
        elif isinstance(m, nn.Conv2d):
            nn.init.kaiming_uniform_(m.weight, a=1)
            if m.bias is not None:  # the ResNet body's convs have none (a FrozenBN follows)
                nn.init.zeros_(m.bias)
    for name, p in model.named_parameters():
        if name.endswith('relative_position_bias_table'):
            nn.init.trunc_normal_(p, std=0.02)
    for m in model.modules():
        if isinstance(m, BiMultiHeadAttention):
            for lin in (m.v_proj, m.l_proj, m.values_v_proj, m.values_l_proj, m.out_v_proj, m.out_l_proj):
                nn.init.xavier_uniform_(lin.weight)
                nn.init.zeros_(lin.bias)
        if isinstance(m, DyConv):
            for sub in m.modules():
                if isinstance(sub, nn.Conv2d):
                    nn.init.normal_(sub.weight, std=0.01)
                    nn.init.zeros_(sub.bias)
                if isinstance(sub, ModulatedDeformConv):
                    nn.init.normal_(sub.weight, std=0.01)
                    nn.init.zeros_(sub.bias)
            nn.init.zeros_(m.offset.weight)
            nn.init.zeros_(m.offset.bias)
    head = model.rpn.head
    for conv in (head.bbox_pred, head.centerness, head.cls_logits):
        nn.init.normal_(conv.weight, std=0.01)
        nn.init.zeros_(conv.bias)
    nn.init.constant_(head.bias0, -math.log(99.0))
    nn.init.zeros_(head.bias_lang)
    nn.init.zeros_(head.log_scale)


def decollapse_text(model):
    """Re-opens the text path of the head: with a from-scratch BERT the fusion's image->text update and the head
    BERT layers' token mixing collapse all content tokens onto one vector (cos 0.99), so the token logits cannot
    tell phrases apart. Zeroing gamma_l and the head BERT layers' attention output restarts them from identity."""
    for m in model.rpn.head.dyhead_tower:
        if hasattr(m, 'b_attn'):
            nn.init.zeros_(m.b_attn.gamma_l)
        if hasattr(m, 'attention'):
            for lin in (m.attention.output.dense, m.output.dense):
                nn.init.zeros_(lin.weight)
                nn.init.zeros_(lin.bias)


def freeze_head_text(model):
    """Keeps the head's text path at its identity-like state (after decollapse_text): gamma_l = 0 and the head BERT
    layers reduce to per-token LayerNorms, so the token logits see the language backbone's token features."""
    for m in model.rpn.head.dyhead_tower:
        if hasattr(m, 'b_attn'):
            m.b_attn.gamma_l.requires_grad_(False)
        if hasattr(m, 'attention'):
            for p in m.parameters():
                p.requires_grad_(False)


def lr_at(frac, peak, warmup_frac):
    if frac < warmup_frac:
        return peak * (0.1 + 0.9 * frac / warmup_frac)
    f = (frac - warmup_frac) / (1 - warmup_frac)
    return peak * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(f, 1.0))))


def save(model, opt, state, out, name, keep=False):
    """-> <out>/<name>.pth (official), + <name>-<min>min.pth when keep, + resume.pth."""
    ckpt = {'model': model.official_state_dict()}
    torch.save(ckpt, os.path.join(out, f'{name}.tmp'))
    os.replace(os.path.join(out, f'{name}.tmp'), os.path.join(out, f'{name}.pth'))
    if keep:
        torch.save(ckpt, os.path.join(out, f"{name}-{state['elapsed'] / 60:.0f}min.pth"))
    torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'state': state},
               os.path.join(out, 'resume.tmp'))
    os.replace(os.path.join(out, 'resume.tmp'), os.path.join(out, 'resume.pth'))


def average_gradients(params, world):
    """All-reduces the gradients of `params` (one flat buffer) and divides by the number of workers."""
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world
    offset = 0
    for p in params:
        n = p.numel()
        p.grad = flat[offset:offset + n].view_as(p)
        offset += n


def shared_progress(elapsed, budget, world):
    """Fraction of the budget spent, as rank 0 sees it, so that every worker stops and schedules the lr together."""
    frac = torch.tensor([elapsed / budget])
    if world > 1:
        dist.broadcast(frac, 0)
    return frac.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.path.join(HERE, '../synth/out'))
    ap.add_argument('--out', default=os.path.join(HERE, 'out'))
    ap.add_argument('--config', default=os.path.join(HERE, 'glip_nano.yaml'))
    ap.add_argument('--bert', default=os.path.join(HERE, 'glip_nano_bert.json'))
    ap.add_argument('--minutes', type=float, default=80.0)
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--lr', type=float, default=7e-4)
    ap.add_argument('--sizes', default='192,224,256,288,320', help='training scales (square), early phase')
    ap.add_argument('--full-size-from', type=float, default=0.75, help='fraction of the budget after which only 320')
    ap.add_argument('--save-every', type=float, default=5.0, help='minutes')
    ap.add_argument('--keep-after', type=float, default=None,
                    help='fraction of the budget after which each periodic save is also kept as <config name>-<min>min.pth')
    ap.add_argument('--threads', type=int, default=1, help='1: OpenMP spin-waits make 2 threads ~10x slower on a busy 2-core machine')
    ap.add_argument('--workers', type=int, default=1, help='data-parallel processes (one thread each)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--phrase-ce', type=float, default=0.0, help='weight of the auxiliary phrase cross-entropy')
    ap.add_argument('--init-from', default=None, help='start from these weights (official checkpoint), new schedule')
    ap.add_argument('--decollapse-text', action='store_true', help='zero gamma_l and the head BERT layer residual branches')
    ap.add_argument('--freeze-head-text', action='store_true', help='with --decollapse-text: keep them so (no grad)')
    ap.add_argument('--hard-negatives', action='store_true',
                    help='list prompts also name absent categories of the same shape or colour as present objects')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.workers > 1:
        rendezvous = os.path.join(os.path.abspath(args.out), 'rendezvous')
        if os.path.exists(rendezvous):
            os.remove(rendezvous)
        mp.spawn(train, args=(args, rendezvous), nprocs=args.workers)
    else:
        train(0, args, None)


def train(rank, args, rendezvous):
    world = args.workers
    if world > 1:
        dist.init_process_group('gloo', init_method='file://' + rendezvous, rank=rank, world_size=world)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # same initial weights on every worker
    rng = random.Random(args.seed + 1000 * rank)  # own image order and augmentation
    size_rng = rng if world == 1 else random.Random(args.seed)  # same scale on every worker at each step
    cfg = load_config(args.config, args.bert)
    name = os.path.splitext(os.path.basename(args.config))[0]  # glip_nano.yaml -> glip_nano.pth
    model = GLIP(cfg)
    init_weights(model)
    if args.init_from:
        sd = torch.load(args.init_from, map_location='cpu')['model']
        model.load_state_dict({k[len('module.'):]: v for k, v in sd.items()})
    if args.decollapse_text:
        decollapse_text(model)
    if args.freeze_head_text:
        freeze_head_text(model)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or n.endswith('relative_position_bias_table') else decay).append(p)
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=args.lr)
    state = {'iter': 0, 'elapsed': 0.0, 'images': 0}
    if args.resume and os.path.exists(os.path.join(args.out, 'resume.pth')):
        r = torch.load(os.path.join(args.out, 'resume.pth'))
        model.load_state_dict(r['model'])
        opt.load_state_dict(r['optimizer'])
        state = r['state']
    data = GroundingSplit(args.data, 'train')
    data.hard_negatives = args.hard_negatives
    sizes = [int(s) for s in args.sizes.split(',')]
    budget = args.minutes * 60
    trained = [p for p in model.parameters() if p.requires_grad]
    log = open(os.path.join(args.out, 'train.log') if rank == 0 else os.devnull, 'a')
    log.write(f'# start {time.strftime("%H:%M:%S", time.gmtime())} budget {args.minutes} min, {world} worker(s), '
              f'{sum(p.numel() for p in model.parameters())} params, state {state}\n')
    model.train()
    t_start = time.time() - state['elapsed']
    last_save = time.time()
    order = []
    avg = None
    while True:
        frac = shared_progress(time.time() - t_start, budget, world)
        if frac >= 1.0:
            break
        lr = lr_at(frac, args.lr, 0.03)
        for g in opt.param_groups:
            g['lr'] = lr
        size = 320 if frac >= args.full_size_from else size_rng.choice(sizes)
        batch = []
        for _ in range(args.batch):
            if not order:
                order = list(range(len(data.images)))
                rng.shuffle(order)
            batch.append(data.training_sample(order.pop(), size, rng))
        images, ids, mask, boxes, tokens, phrases = collate(batch, cfg)
        logits, bbox, ctr, anchors = model(images, ids, mask)
        cls_l, reg_l, ctr_l, npos = glip_losses(logits, bbox, ctr, anchors, mask, boxes, tokens, phrases,
                                                phrase_ce_weight=args.phrase_ce)
        loss = cls_l + reg_l + ctr_l
        opt.zero_grad()
        loss.backward()
        if world > 1:
            average_gradients(trained, world)
        gnorm = torch.nn.utils.clip_grad_norm_(trained, 5.0)
        opt.step()
        state['iter'] += 1
        state['images'] += len(batch) * world
        vals = torch.tensor([loss.item(), cls_l.item(), reg_l.item(), ctr_l.item()])
        avg = vals if avg is None else 0.95 * avg + 0.05 * vals
        state['elapsed'] = time.time() - t_start
        if state['iter'] % 5 == 0 or state['iter'] <= 3:
            log.write(f"it {state['iter']} t {state['elapsed'] / 60:.1f}m img {state['images']} size {size} lr {lr:.2e} "
                      f"loss {vals[0]:.3f} (cls {vals[1]:.3f} reg {vals[2]:.3f} ctr {vals[3]:.3f}) "
                      f"avg {avg[0]:.3f} (cls {avg[1]:.3f} reg {avg[2]:.3f} ctr {avg[3]:.3f}) npos {npos} "
                      f"gnorm {gnorm:.2f} log_scale {model.rpn.head.log_scale.item():.3f}\n")
            log.flush()
        if rank == 0 and time.time() - last_save > args.save_every * 60:
            save(model, opt, state, args.out, name, keep=args.keep_after is not None and frac >= args.keep_after)
            last_save = time.time()
            log.write(f"# saved at it {state['iter']}\n")
    if rank == 0:
        save(model, opt, state, args.out, name)
    log.write(f"# done {time.strftime('%H:%M:%S', time.gmtime())} it {state['iter']} images {state['images']} "
              f"final avg loss {avg[0]:.4f} (cls {avg[1]:.4f} reg {avg[2]:.4f} ctr {avg[3]:.4f})\n")
    log.close()
    if world > 1:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
