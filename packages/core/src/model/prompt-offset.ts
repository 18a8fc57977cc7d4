// GLIP's prompt tuning (`language_prompt_v2`): a learned offset added to the language features before
// the fusion DyHead. The official code keeps it as the weight of a zero-initialised
// `Linear(LANG_DIM, 1000, bias=False)` and adds rows [:T] (one per token position of the tokenised
// prompt) to BERT's output; everything else stays frozen. Here the offset is `[T, D]` for the prompt's
// T tokens, so a tuned prompt is the caption, its token ids and this tensor.
import * as tf from '@tensorflow/tfjs';
import type { LanguageFeatures } from './forward-pass.ts';

/**
 * lang.hidden `[T, D]` + offset `[T, D]` → new language features (the caller disposes both of their
 * tensors; `lang` and `offset` stay the caller's). Differentiable in the offset.
 */
export function offsetLanguageFeatures(lang: LanguageFeatures, offset: tf.Tensor2D): LanguageFeatures {
  const [t, d] = lang.hidden.shape;
  if (offset.shape[0] !== t || offset.shape[1] !== d) {
    throw new RangeError(`prompt offset is [${offset.shape.join(', ')}], the prompt's features are [${t}, ${d}]`);
  }
  return { hidden: tf.add(lang.hidden, offset), mask: tf.clone(lang.mask) };
}
