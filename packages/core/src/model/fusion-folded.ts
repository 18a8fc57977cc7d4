// The image side of GLIP's fusion attention with its projections folded into the text side: the
// fused path of `fusion.ts`. The official layer projects every visual token into the 2048-wide
// attention space twice (v_proj, values_v_proj) and the attended result back (out_v_proj); with
// few channels C per token (glip-nano: 64, GLIP-T: 256) and few text tokens T, the same function
// is cheaper computed from the other end. Per head h (d = 2048 / H; Wq_h, bq_h the rows of v_proj
// for head h, Wvv_h, bvv_h those of values_v_proj, Wout_h the columns of out_v_proj; s = d^−½;
// x = LN_v(v) [N, C]; k_h, valueL_h [T, d]):
//   A_h    = s·(x·Wq_hᵀ + bq_h)·k_hᵀ       = x·(s·k_h·Wq_h)ᵀ + s·k_h·bq_h            [N, T]
//   Δv     = Σ_h softmax_T(A_h + mask)·valueL_h·Wout_hᵀ + b_out
//          = Σ_h softmax_T(A_h + mask)·(valueL_h·Wout_hᵀ) + b_out                   [N, C]
//   outL_h = softmax_N(A_hᵀ)·(x·Wvv_hᵀ + bvv_h) = (softmax_N(A_hᵀ)·x)·Wvv_hᵀ + bvv_h   [T, d]
// (the rows of softmax_N sum to 1). So the bi-attention kernel runs once, head dimension C + 8, on
// image tokens shared by all heads: x̃ = [x | 1 1 …] as q and as valueV, k̃_h = [s·k_h·Wq_h | s·k_h·bq_h | 0…],
// ṽ_h = [valueL_h·Wout_hᵀ | 0…]; nothing N-sized is 2048 wide. Per token the image side costs
// 4·H·T·(C + 8) multiply-adds instead of 3·C·2048 + 4·H·T·d. The layer's γ_v·Δv is what the fusion
// adds, so γ_v is folded into ṽ_h as well, and γ_v·b_out rides on every text token of head 0 (the
// rows of softmax_T sum to 1); the sum over heads is one matmul, 1ᵀ·outV. The same function as the
// projected form up to f32 rounding; fusion.test.ts checks it against the official tensors and the
// projected form.
import * as tf from '@tensorflow/tfjs';
import { biAttention } from '../kernels/bi-attention.ts';
import { batchedTokenLinear, tokenLinear } from '../kernels/token-linear.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { linearWeightValues } from './official-layers.ts';

/** Extra columns of x̃, k̃, ṽ: x̃'s ones (the first meets k̃'s bias column, the rest k̃'s zeros), so that C + 8 stays a multiple of 8. */
const BIAS_COLUMNS = 8;

/**
 * `attn` = `….b_attn.attn`; x `[N, C]` (LN_v-ed visual tokens); k, valueL `[H, T, d]` (the text
 * side's l_proj and values_l_proj, split into heads); textMask `[T]`; scale = d^−½; gammaV `[C]`.
 * Returns γ_v·Δv `[N, C]` (Δv after out_v_proj) and outL `[H, T, d]` (before out_l_proj).
 */
export function foldedImageAttention(
  w: WeightMap,
  attn: string,
  x: tf.Tensor2D,
  k: tf.Tensor3D,
  valueL: tf.Tensor3D,
  textMask: tf.Tensor1D,
  scale: number,
  gammaV: tf.Tensor1D,
): { gammaDeltaV: tf.Tensor2D; outL: tf.Tensor3D } {
  return tf.tidy(() => {
    const [n, c] = x.shape;
    const [heads, t, d] = k.shape;
    // The weights as `linear` holds them (f32 [in, out], or f16 pairs unpacked here), so the folded and projected forms share one copy.
    const headsOf = (inOut: tf.Tensor2D): tf.Tensor3D => tf.reshape(inOut, [c, heads, d]) as tf.Tensor3D; // [C, H·d] → [C, H, d]
    const wq = tf.transpose(headsOf(linearWeightValues(w, `${attn}.v_proj`, x)), [1, 2, 0]); // [H, d, C]: Wq_hᵀ
    const bq = tf.reshape(w.get(`${attn}.v_proj.bias`), [heads, d, 1]);
    const wqBiasPad = tf.concat([wq, bq, tf.zeros([heads, d, BIAS_COLUMNS - 1])], 2) as tf.Tensor3D; // [H, d, C+8]: Wq_hᵀ, bq_h, 0…
    const wvv = tf.transpose(headsOf(linearWeightValues(w, `${attn}.values_v_proj`, x)), [1, 0, 2]) as tf.Tensor3D; // [H, C, d]: Wvv_hᵀ
    const bvv = tf.reshape(w.get(`${attn}.values_v_proj.bias`), [heads, 1, d]);
    const wout = tf.reshape(linearWeightValues(w, `${attn}.out_v_proj`, x), [heads, d, c]); // [H·d, C] → [H, d, C]: Wout_hᵀ
    const outBias = tf.mul(gammaV, w.get(`${attn}.out_v_proj.bias`)); // [C]: γ_v·b_out, added through head 0
    const headBias = tf.pad(tf.reshape(outBias, [1, 1, c]), [[0, heads - 1], [0, 0], [0, BIAS_COLUMNS]]); // [H, 1, C+8]
    const woutPad = tf.pad(tf.mul(wout, tf.reshape(gammaV, [1, 1, c])), [[0, 0], [0, 0], [0, BIAS_COLUMNS]]) as tf.Tensor3D; // [H, d, C+8]: γ_v·Wout_hᵀ, 0…

    // The per-head products are small ([T, d]·[d, C+8]): the batched token linear.
    const kFolded = tf.mul(batchedTokenLinear(k, wqBiasPad), scale); // [H, T, C+8] = [s·k_h·Wq_h | s·k_h·bq_h | 0…]
    const valueFolded = tf.add(batchedTokenLinear(valueL, woutPad), headBias); // [H, T, C+8] = [γ_v·valueL_h·Wout_hᵀ (+ γ_v·b_out on head 0) | 0…]
    const image = tf.reshape(tf.pad(x, [[0, 0], [0, BIAS_COLUMNS]], 1), [1, n, c + BIAS_COLUMNS]) as tf.Tensor3D; // [1, N, C+8]: [x | 1 1 …]

    const { outV, outL } = biAttention(image, kFolded as tf.Tensor3D, image, valueFolded as tf.Tensor3D, textMask);
    // Σ over heads as 1ᵀ·outV [H, N·(C+8)]: one matmul (tf.sum over axis 0 took 5 s here on SwiftShader).
    const headSum = tokenLinear(tf.ones([1, heads]), tf.reshape(outV, [heads, -1]) as tf.Tensor2D, null); // [1, N·(C+8)]
    const gammaDeltaV = tf.slice(tf.reshape(headSum, [n, c + BIAS_COLUMNS]), [0, 0], [n, c]); // [N, C]
    const attended = tf.slice(outL, [0, 0, 0], [heads, t, c]); // [H, T, C]: softmax_N(A_hᵀ)·x
    return { gammaDeltaV: gammaDeltaV as tf.Tensor2D, outL: tf.add(batchedTokenLinear(attended as tf.Tensor3D, wvv), bvv) as tf.Tensor3D };
  });
}
