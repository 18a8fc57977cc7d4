// BERT encoder of GLIP's language backbone (`language_backbone.body.model`, HF BertModel without
// pooler; dims from BertConfig, bert-base-uncased for GLIP-T) and the post-LN BERT layer it is built
// from, which the DyHead reuses with GLIP's ±50000 clamps (modeling/rpn/modeling_bert.py).
// Text flows as `[T, D]` for the T real tokens: GLIP pads to 256, but padded keys are masked and every
// other op is per token, so real-token rows are the same without the padding.
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../config.ts';
import { PromptError } from '../errors.ts';
import { layerNorm } from '../kernels/layer-norm.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import type { ForwardSteps } from './forward-steps.ts';
import { geluErf } from '../kernels/gelu.ts';
import { embedding, textLinear } from './official-layers.ts';

const PREFIX = 'language_backbone.body.model';
const MASK_VALUE = -10000; // HF get_extended_attention_mask: (1 − m)·−10000
const CLAMP = 50000;

export interface BertLayerOptions {
  numHeads: number;
  layerNormEps: number;
  /**
   * GLIP's DyHead BertEncoderLayer clamps to ±50000: the attention scores (before the mask), the
   * intermediate before and after GELU, the output dense, and the output after its LayerNorm.
   */
  glipClamps?: boolean;
}

/** One BERT layer at `prefix` (…`.encoder.layer.{n}` or `rpn.head.dyhead_tower.{3i+1}`): x `[T, D]`, mask `[T]` 0/1 → `[T, D]`. */
export function bertLayer(w: WeightMap, prefix: string, x: tf.Tensor2D, mask: tf.Tensor1D, opts: BertLayerOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const clamp = (y: tf.Tensor) => (opts.glipClamps ? tf.clipByValue(y, -CLAMP, CLAMP) : y);
    const ln = (name: string, y: tf.Tensor) => layerNorm(y, w.get(`${prefix}.${name}.weight`), w.get(`${prefix}.${name}.bias`), opts.layerNormEps);
    const [t, d] = x.shape;
    const headDim = d / opts.numHeads;
    const heads = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [t, opts.numHeads, headDim]), [1, 0, 2]); // [heads, T, dh]
    const q = heads(textLinear(w, `${prefix}.attention.self.query`, x));
    const k = heads(textLinear(w, `${prefix}.attention.self.key`, x));
    const v = heads(textLinear(w, `${prefix}.attention.self.value`, x));
    const scores = tf.add(clamp(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim))), tf.mul(tf.sub(1, mask), MASK_VALUE)); // [heads, T, T]
    const context = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [1, 0, 2]), [t, d]);
    const attnOut = ln('attention.output.LayerNorm', tf.add(textLinear(w, `${prefix}.attention.output.dense`, context), x));
    const inter = clamp(geluErf(clamp(textLinear(w, `${prefix}.intermediate.dense`, attnOut))));
    const out = clamp(textLinear(w, `${prefix}.output.dense`, inter));
    return clamp(ln('output.LayerNorm', tf.add(out, attnOut))) as tf.Tensor2D;
  });
}

/** Embeddings: LN(word + token_type 0 + position) for token ids `[T]` → `[T, D]`. */
export function bertEmbeddings(inputIds: Int32Array, w: WeightMap, cfg: BertConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const e = `${PREFIX}.embeddings`;
    const words = embedding(w, `${e}.word_embeddings.weight`, tf.tensor1d(inputIds, 'int32'));
    const tokenType = tf.slice(w.get(`${e}.token_type_embeddings.weight`), [0, 0], [1, -1]);
    const positions = tf.slice(w.get(`${e}.position_embeddings.weight`), [0, 0], [inputIds.length, -1]);
    const sum = tf.add(tf.add(words, tokenType), positions); // HF order: (inputs + token_type) + position
    return layerNorm(sum, w.get(`${e}.LayerNorm.weight`), w.get(`${e}.LayerNorm.bias`), cfg.layerNormEps) as tf.Tensor2D;
  });
}

/**
 * The language backbone on the real (unpadded) token ids `[CLS] … [SEP]`; stages `lang.bert.embeddings`
 * and `lang.bert.layer{n}`, each `[T, D]`. Returns `hidden` `[T, D]`, the last layer (GLIP's
 * `lang["hidden"]`, N_LAYERS = 1): the DyHead's text input. Caller disposes it.
 */
export function* bertEncoder(inputIds: Int32Array, w: WeightMap, cfg: BertConfig): ForwardSteps<tf.Tensor2D> {
  if (inputIds.length > cfg.maxPositions) throw new PromptError(`the prompt has ${inputIds.length} tokens; BERT takes at most ${cfg.maxPositions}. Shorten it.`);
  const mask = tf.ones([inputIds.length]) as tf.Tensor1D;
  let hidden = bertEmbeddings(inputIds, w, cfg);
  yield { name: 'lang.bert.embeddings', tensors: [hidden] };
  for (let n = 0; n < cfg.numLayers; n++) {
    const next = bertLayer(w, `${PREFIX}.encoder.layer.${n}`, hidden, mask, { numHeads: cfg.numHeads, layerNormEps: cfg.layerNormEps });
    hidden.dispose();
    hidden = next;
    yield { name: `lang.bert.layer${n}`, tensors: [hidden] };
  }
  mask.dispose();
  return hidden;
}
