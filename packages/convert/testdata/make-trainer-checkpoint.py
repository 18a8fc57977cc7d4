#!/usr/bin/env python3
"""Writes trainer-checkpoint.pth: a tiny real torch.save output shaped like a GLIP training checkpoint
({"model", "model_ema", "optimizer", "scheduler", "iteration"}, keys prefixed `module.`), with a
transposed (non-contiguous) view, a storage offset, f16/bf16/int64 tensors and nn.Parameters, and an
AdamW optimizer state after one step. Also prints the expected values the converter test checks.

    /usr/bin/python3 packages/convert/testdata/make-trainer-checkpoint.py
"""
import copy
import os

import torch

torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
opt = torch.optim.AdamW(net.parameters(), lr=1e-4, betas=(0.9, 0.999))
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[10, 20], gamma=0.1)
net(torch.randn(4, 3)).sum().backward()
opt.step()
sched.step()

base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
model = {"module." + k: v for k, v in net.state_dict().items()}
model["module.t.transposed"] = base.t()[1:]          # shape [3,3], stride (1,4), offset 1
model["module.t.half"] = torch.tensor([1.0, -2.5, 65504.0], dtype=torch.float16)
model["module.t.bf16"] = torch.tensor([1.0, 3.140625], dtype=torch.bfloat16)
model["module.t.index"] = torch.tensor([[0, 5], [7, -1]], dtype=torch.int64)
model["module.t.param"] = torch.nn.Parameter(torch.tensor([0.25, 0.5]))
ema = copy.deepcopy(model)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trainer-checkpoint.pth")
torch.save({"model": model, "model_ema": ema, "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "iteration": 90000}, out)
for k, v in model.items():
    print(k, list(v.shape), v.dtype, v.detach().float().flatten().tolist())
