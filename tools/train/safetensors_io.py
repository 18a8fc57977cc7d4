"""Minimal safetensors reader (8-byte LE header length, JSON header, raw little-endian data)."""
import json
import struct

import numpy as np
import torch

_DTYPES = {'F32': np.float32, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32, 'U8': np.uint8}


def read_safetensors(path):
    """-> {name: torch.Tensor}"""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        arr = np.frombuffer(data[base + start:base + end], dtype=_DTYPES[info['dtype']]).reshape(info['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out
