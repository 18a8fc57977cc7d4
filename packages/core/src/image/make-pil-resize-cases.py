#!/usr/bin/env python3
"""Reference outputs of Pillow's bilinear resize for pil-bilinear.test.ts (tools only; CI never runs this).

Writes pil-resize-cases.json beside this file: for each case the source image recipe, the output size,
the SHA-256 of Pillow's output bytes (RGB, row-major) and, for small outputs, the bytes themselves
(base64) so a failing test can say which pixel differs. Regenerate with:

    /usr/bin/python3 packages/core/src/image/make-pil-resize-cases.py   # Debian python3-pil, Pillow 9.4

The source images are computed the same way in the test (sourcePixels):
  noise: an LCG byte stream, state ← (state·1103515245 + 12345) mod 2^31, byte = (state >> 16) & 255
  ramp:  (37x + 91y + 53c + (7xy mod 29)) mod 256
"""
import base64
import hashlib
import json
from pathlib import Path

import numpy as np
import PIL
from PIL import Image

FULL_BYTES_LIMIT = 3000

# (kind, seed, source width, source height, output width, output height)
CASES = [
    # downscaling, both aspect directions, odd sizes
    ('ramp', 0, 13, 9, 5, 4), ('ramp', 0, 13, 9, 3, 2), ('noise', 1, 64, 48, 23, 17), ('noise', 2, 97, 61, 40, 25),
    ('noise', 3, 50, 80, 31, 50), ('noise', 4, 101, 33, 7, 3), ('noise', 5, 200, 150, 64, 48), ('noise', 6, 45, 45, 44, 44),
    ('noise', 7, 33, 101, 3, 7), ('noise', 8, 2, 2, 1, 1), ('noise', 9, 300, 7, 1, 1), ('noise', 10, 1000, 3, 3, 1),
    ('noise', 11, 640, 480, 533, 400), ('noise', 12, 480, 640, 400, 533),
    # upscaling
    ('ramp', 0, 13, 9, 20, 15), ('noise', 13, 5, 4, 13, 9), ('noise', 14, 7, 3, 33, 17), ('noise', 15, 3, 7, 19, 40),
    ('noise', 16, 10, 10, 31, 31), ('noise', 17, 9, 13, 20, 15), ('noise', 18, 410, 316, 1038, 800),
    ('noise', 19, 316, 410, 800, 1038),
    # 1-pixel edges
    ('noise', 20, 1, 1, 5, 3), ('noise', 21, 1, 40, 1, 7), ('noise', 22, 40, 1, 7, 1), ('noise', 23, 17, 1, 3, 1),
    ('noise', 24, 1, 5, 4, 17), ('noise', 25, 1, 1, 1, 9), ('noise', 26, 6, 1, 1, 1), ('noise', 27, 1, 30, 12, 1),
    # one side only, one side up and the other down
    ('ramp', 0, 13, 9, 13, 4), ('ramp', 0, 13, 9, 7, 9), ('noise', 28, 30, 20, 45, 10), ('noise', 29, 20, 30, 10, 45),
    # the official sizes: short side to 800 (GLIP-T), both ways, from a photo-sized image
    ('noise', 30, 1920, 1080, 1422, 800), ('noise', 31, 1080, 1920, 800, 1422), ('ramp', 0, 1280, 853, 1200, 800),
]


def source(kind: str, seed: int, w: int, h: int) -> np.ndarray:
    if kind == 'ramp':
        y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing='ij')
        return ((37 * x + 91 * y + 53 * c + (7 * x * y) % 29) % 256).astype(np.uint8)
    out = np.empty(w * h * 3, dtype=np.uint8)
    state = seed
    for i in range(out.size):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out[i] = (state >> 16) & 255
    return out.reshape(h, w, 3)


def main() -> None:
    cases = []
    for kind, seed, w, h, ow, oh in CASES:
        img = Image.fromarray(source(kind, seed, w, h), 'RGB').resize((ow, oh), Image.BILINEAR)
        data = np.asarray(img, dtype=np.uint8).tobytes()
        case = {'kind': kind, 'seed': seed, 'width': w, 'height': h, 'outWidth': ow, 'outHeight': oh,
                'sha256': hashlib.sha256(data).hexdigest()}
        if len(data) <= FULL_BYTES_LIMIT:
            case['pixels'] = base64.b64encode(data).decode()
        cases.append(case)
    out = Path(__file__).with_name('pil-resize-cases.json')
    body = {'pillow': PIL.__version__, 'cases': cases}
    out.write_text(json.dumps(body, separators=(',', ':')).replace('},{', '},\n{') + '\n')
    print(f'{len(cases)} cases → {out}')


if __name__ == '__main__':
    main()
