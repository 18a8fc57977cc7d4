// Per-phrase scores (convert_grounding_to_od_logits, SCORE_AGG "MEAN"): the mean of the token
// probabilities sigmoid(logit) over each phrase's tokens.
import * as tf from '@tensorflow/tfjs';
import { tokenLinear } from '../kernels/token-linear.ts';
import type { DetectionPhrase } from './detection.ts';

/** logits `[A, T]` → scores `[A, P]`, column j − 1 for phrase label j. */
export function phraseScores(logits: tf.Tensor2D, phrases: readonly DetectionPhrase[]): tf.Tensor2D {
  return tf.tidy(() => {
    const t = logits.shape[1];
    const averaging = new Float32Array(t * phrases.length); // [T, P]
    phrases.forEach((p, j) => {
      for (const i of p.tokenIndices) averaging[i * phrases.length + j] = 1 / p.tokenIndices.length;
    });
    return tokenLinear(tf.sigmoid(logits), tf.tensor2d(averaging, [t, phrases.length]), null) as tf.Tensor2D;
  });
}
