// Swin Transformer v1 backbone as GLIP's `SWINT-FPN-RETINANET` body (`backbone.body`, swint.py).
// Feature maps flow as `[H, W, C]` (batch 1) inside; stage outputs are returned `[1, H, W, C]`.
//   patch_embed: conv 4×4/4 → LN
//   per stage: blocks (pre-norm; window attention, shifted on odd blocks; MLP) → output norm → PatchMerging
// Details that matter for parity: zero padding to a multiple of the window AFTER norm1 (padded
// tokens take part in attention unmasked), the cyclic shift on the padded map with a −100 mask,
// exact-erf GELU, PatchMerging order x[0::2,0::2], x[1::2,0::2], x[0::2,1::2], x[1::2,1::2].
import * as tf from '@tensorflow/tfjs';
import type { SwinConfig } from '../config.ts';
import { layerNorm } from '../kernels/layer-norm.ts';
import { windowAttention } from '../kernels/window-attention.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { conv2d, linear } from './official-layers.ts';

const LN_EPS = 1e-5;
const SHIFT_MASK_VALUE = -100;
const PREFIX = 'backbone.body';

function norm(w: WeightMap, prefix: string, x: tf.Tensor): tf.Tensor {
  return layerNorm(x, w.get(`${prefix}.weight`), w.get(`${prefix}.bias`), LN_EPS);
}

/** torch.roll over axes 0 and 1 of `[H, W, C]` by `shift` (negative = towards the origin). */
function roll2d(x: tf.Tensor3D, shift: number): tf.Tensor3D {
  return tf.tidy(() => {
    let y = x;
    for (const axis of [0, 1]) {
      const n = y.shape[axis];
      const s = ((shift % n) + n) % n; // elements move from index i to (i + s) mod n
      if (s === 0) continue;
      const head = axis === 0 ? tf.slice(y, [n - s, 0, 0], [s, -1, -1]) : tf.slice(y, [0, n - s, 0], [-1, s, -1]);
      const tail = axis === 0 ? tf.slice(y, [0, 0, 0], [n - s, -1, -1]) : tf.slice(y, [0, 0, 0], [-1, n - s, -1]);
      y = tf.concat([head, tail], axis);
    }
    return y;
  });
}

/** `[Hp, Wp, C]` → `[nW, ws·ws, C]`, windows row-major, tokens row-major inside a window. */
function partitionWindows(x: tf.Tensor3D, ws: number): tf.Tensor3D {
  const [h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [h / ws, ws, w / ws, ws, c]), [0, 2, 1, 3, 4]), [(h / ws) * (w / ws), ws * ws, c]) as tf.Tensor3D);
}

/** Inverse of partitionWindows. */
function mergeWindows(x: tf.Tensor3D, ws: number, h: number, w: number): tf.Tensor3D {
  const c = x.shape[2];
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [h / ws, w / ws, ws, ws, c]), [0, 2, 1, 3, 4]), [h, w, c]) as tf.Tensor3D);
}

/** bias[h, i, j] = table[(yi − yj + ws − 1)·(2ws − 1) + (xi − xj + ws − 1), h] → `[heads, M, M]`. */
function relativePositionBias(table: tf.Tensor, ws: number): tf.Tensor3D {
  const m = ws * ws;
  const index = new Int32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const dy = Math.floor(i / ws) - Math.floor(j / ws);
      const dx = (i % ws) - (j % ws);
      index[i * m + j] = (dy + ws - 1) * (2 * ws - 1) + (dx + ws - 1);
    }
  }
  return tf.tidy(() => {
    const heads = table.shape[1] as number;
    const gathered = tf.gather(table, tf.tensor1d(index, 'int32')); // [M·M, heads]
    return tf.transpose(tf.reshape(gathered, [m, m, heads]), [2, 0, 1]) as tf.Tensor3D;
  });
}

/**
 * Shifted-window mask `[nW, M, M]` over the padded `hp × wp` map: 3×3 regions split at
 * (size − ws) and (size − shift); pairs from different regions get −100.
 */
function shiftMask(hp: number, wp: number, ws: number, shift: number): tf.Tensor3D {
  const region = (p: number, size: number) => (p < size - ws ? 0 : p < size - shift ? 1 : 2);
  const label = new Int32Array(hp * wp);
  for (let y = 0; y < hp; y++) for (let x = 0; x < wp; x++) label[y * wp + x] = region(y, hp) * 3 + region(x, wp);
  const nWh = hp / ws;
  const nWw = wp / ws;
  const m = ws * ws;
  const mask = new Float32Array(nWh * nWw * m * m);
  const windowLabels = new Int32Array(m);
  for (let wy = 0; wy < nWh; wy++) {
    for (let wx = 0; wx < nWw; wx++) {
      for (let t = 0; t < m; t++) windowLabels[t] = label[(wy * ws + Math.floor(t / ws)) * wp + wx * ws + (t % ws)];
      const base = (wy * nWw + wx) * m * m;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (windowLabels[i] !== windowLabels[j]) mask[base + i * m + j] = SHIFT_MASK_VALUE;
    }
  }
  return tf.tensor3d(mask, [nWh * nWw, m, m]);
}

/** Attention branch of one block on LN1-normed `[H, W, C]`: pad, shift, windows, attention, back. */
function shiftedWindowAttention(
  w: WeightMap,
  prefix: string,
  x: tf.Tensor3D,
  heads: number,
  ws: number,
  shift: number,
  mask: tf.Tensor3D | null,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, wd, c] = x.shape;
    const hp = Math.ceil(h / ws) * ws;
    const wp = Math.ceil(wd / ws) * ws;
    let y = tf.pad(x, [[0, hp - h], [0, wp - wd], [0, 0]]); // zero tokens after norm1
    if (shift > 0) y = roll2d(y, -shift);
    const windows = partitionWindows(y, ws); // [nW, M, C]
    const qkv = linear(w, `${prefix}.attn.qkv`, windows) as tf.Tensor3D; // [nW, M, 3C]
    const bias = w.prepared(`${prefix}.attn.relative_position_bias_table`, `bias heads,${ws * ws},${ws * ws}`, (t) => relativePositionBias(t, ws)) as tf.Tensor3D; // [heads, M, M]
    const attended = windowAttention(qkv, bias, shift > 0 ? mask : null, heads, (c / heads) ** -0.5); // [nW, M, C]
    let out = mergeWindows(linear(w, `${prefix}.attn.proj`, attended) as tf.Tensor3D, ws, hp, wp);
    if (shift > 0) out = roll2d(out, shift);
    return tf.slice(out, [0, 0, 0], [h, wd, c]);
  });
}

/** SwinTransformerBlock: x + Attn(LN1(x)), then x + MLP(LN2(x)). */
function swinBlock(w: WeightMap, prefix: string, x: tf.Tensor3D, heads: number, ws: number, shift: number, mask: tf.Tensor3D | null): tf.Tensor3D {
  return tf.tidy(() => {
    const attn = shiftedWindowAttention(w, prefix, norm(w, `${prefix}.norm1`, x) as tf.Tensor3D, heads, ws, shift, mask);
    const h = tf.add(x, attn);
    const mlp = linear(w, `${prefix}.mlp.fc2`, linear(w, `${prefix}.mlp.fc1`, norm(w, `${prefix}.norm2`, h), 'gelu'));
    return tf.add(h, mlp) as tf.Tensor3D;
  });
}

/** PatchMerging: pad to even size, concat the 2×2 neighbours (x0, x1, x2, x3), LN(4C), Linear(4C → 2C). */
function patchMerging(w: WeightMap, prefix: string, x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, wd, c] = x.shape;
    const y = tf.pad(x, [[0, h % 2], [0, wd % 2], [0, 0]]);
    const h2 = (h + 1) >> 1;
    const w2 = (wd + 1) >> 1;
    // [h2, a, w2, b, C] with a = row parity, b = column parity; order (b, a) gives x0, x1, x2, x3.
    const grouped = tf.reshape(tf.transpose(tf.reshape(y, [h2, 2, w2, 2, c]), [0, 2, 3, 1, 4]), [h2, w2, 4 * c]);
    return linear(w, `${prefix}.reduction`, norm(w, `${prefix}.norm`, grouped)) as tf.Tensor3D;
  });
}

/**
 * Swin body on the preprocessed input `[1, Hp, Wp, 3]` → stage outputs C2..C5 `[1, H/4·2^-i, W/4·2^-i, C_i]`
 * (C2 un-normed, as `norm0` is the identity for RETINANET; C3..C5 through norm1..3).
 */
export function swinBackbone(input: tf.Tensor4D, w: WeightMap, cfg: SwinConfig): tf.Tensor4D[] {
  const ws = cfg.windowSize;
  const shiftSize = Math.floor(ws / 2);
  const p = cfg.patchSize;
  let x = tf.tidy(() => {
    const [, h, wd] = input.shape;
    const padded = tf.pad(input, [[0, 0], [0, (p - (h % p)) % p], [0, (p - (wd % p)) % p], [0, 0]]);
    const embedded = tf.squeeze(conv2d(w, `${PREFIX}.patch_embed.proj`, padded, p, 0), [0]);
    return norm(w, `${PREFIX}.patch_embed.norm`, embedded) as tf.Tensor3D; // [H/4, W/4, C]
  });
  const outputs: tf.Tensor4D[] = [];
  cfg.depths.forEach((depth, i) => {
    const stage = `${PREFIX}.layers.${i}`;
    const [h, wd] = x.shape;
    const mask = depth > 1 ? shiftMask(Math.ceil(h / ws) * ws, Math.ceil(wd / ws) * ws, ws, shiftSize) : null;
    for (let j = 0; j < depth; j++) {
      const next = swinBlock(w, `${stage}.blocks.${j}`, x, cfg.numHeads[i], ws, j % 2 === 1 ? shiftSize : 0, mask);
      x.dispose();
      x = next;
    }
    mask?.dispose();
    outputs.push(tf.tidy(() => tf.expandDims(i === 0 ? x : norm(w, `${PREFIX}.norm${i}`, x), 0) as tf.Tensor4D));
    if (i < cfg.depths.length - 1) {
      const next = patchMerging(w, `${stage}.downsample`, x);
      x.dispose();
      x = next;
    }
  });
  x.dispose();
  return outputs;
}
