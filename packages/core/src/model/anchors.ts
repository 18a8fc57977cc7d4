// ATSS anchors (anchor_generator.py, one anchor per location: aspect ratio 1, one scale per octave).
// Level with stride s and size S: base = [c − (S−1)/2, c − (S−1)/2, c + (S−1)/2, c + (S−1)/2] with
// c = (s−1)/2 (P3: [−28, −28, 35, 35]), shifted by (x·s, y·s), row-major over (y, x).
import * as tf from '@tensorflow/tfjs';
import type { AnchorConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';

/** Anchors of one level, xyxy, `[H·W, 4]` as a plain array. */
export function levelAnchors(height: number, width: number, stride: number, size: number): Float32Array {
  const c = (stride - 1) / 2;
  const half = (size - 1) / 2;
  const out = new Float32Array(height * width * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      out[i] = c - half + x * stride;
      out[i + 1] = c - half + y * stride;
      out[i + 2] = c + half + x * stride;
      out[i + 3] = c + half + y * stride;
    }
  }
  return out;
}

/** Anchors for every level given the feature-map sizes `[H_l, W_l]`: tensors `[H_l·W_l, 4]`. */
export function atssAnchors(cfg: AnchorConfig, gridSizes: [number, number][]): tf.Tensor2D[] {
  if (cfg.aspectRatios.length !== 1 || cfg.aspectRatios[0] !== 1 || cfg.scalesPerOctave !== 1) {
    throw new ConfigError('anchors: only one anchor per location (aspect ratio 1, one scale per octave) is supported, as in GLIP-T');
  }
  if (gridSizes.length !== cfg.strides.length) throw new ConfigError(`anchors: ${gridSizes.length} feature levels but ${cfg.strides.length} anchor strides`);
  return gridSizes.map(([h, w], l) => tf.tensor2d(levelAnchors(h, w, cfg.strides[l], cfg.sizes[l]), [h * w, 4]));
}
