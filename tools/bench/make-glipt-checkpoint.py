#!/usr/bin/env python3
"""Writes a GLIP-T-sized checkpoint in the released format for converter benchmarks.

Every key, shape and dtype of the real GLIP-T (../shared/fixtures/glip-t-keys.json, 746 keys,
231,780,222 parameters, ~927 MB), saved with torch.save as {"model": state_dict, "iteration": 0}
with the `module.` prefixes. Values are seeded random (float) or zeros (int buffers): only the
layout matters. Needs PyTorch (Debian's python3-torch):

    /usr/bin/python3 tools/bench/make-glipt-checkpoint.py /tmp/glipt.pth
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.environ.get("WEBGLIP_KEYS", os.path.join(HERE, "../../../shared/fixtures/glip-t-keys.json"))
DTYPES = {"F32": torch.float32, "I64": torch.int64}


def main(out_path: str) -> None:
    with open(KEYS) as f:
        keys = json.load(f)["keys"]
    gen = torch.Generator().manual_seed(0)
    state = {}
    for name, spec in keys.items():
        dtype = DTYPES[spec["dtype"]]
        shape = spec["shape"]
        state[name] = torch.randn(shape, generator=gen, dtype=dtype) if dtype.is_floating_point else torch.zeros(shape, dtype=dtype)
    torch.save({"model": state, "iteration": 0}, out_path)
    print(f"wrote {out_path}: {len(state)} tensors, {os.path.getsize(out_path) / 1e6:.1f} MB")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-glipt-checkpoint.py OUT.pth")
    main(sys.argv[1])
