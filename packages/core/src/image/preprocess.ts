// Image → network input, as the official GLIP eval/demo transforms: resize (shorter side to
// MIN_SIZE_TEST, PIL bilinear), channels to B,G,R ×255, (x − mean) / std, then zero padding on the
// bottom/right to a multiple of SIZE_DIVISIBILITY (after normalisation, so padding = the mean colour).
//
// MAX_SIZE_TEST: the official eval transform (`Resize(min, max)`) caps the longer side; GLIPDemo
// (`T.Resize(min)`) does not. We apply the cap by default: it bounds GPU memory for extreme aspect
// ratios, and the published COCO numbers use it. `maxSize: null` reproduces GLIPDemo. The two agree
// whenever long/short·MIN_SIZE_TEST ≤ MAX_SIZE_TEST (all the fixtures).
import * as tf from '@tensorflow/tfjs';
import type { InputConfig } from '../config.ts';
import { ImageInputError } from '../errors.ts';
import { pilBilinearResize } from './pil-bilinear.ts';
import { paddedSize, resizedSize, type ImageSize } from './target-size.ts';

/** 8-bit RGB or RGBA pixels, row-major (ImageData and decoded PNGs have this shape). */
export interface PixelImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

export interface PreprocessOptions {
  /** Cap on the longer side; default `InputConfig.maxSizeTest`, `null` = no cap (GLIPDemo). */
  maxSize?: number | null;
}

export interface PreprocessedImage {
  /** `[1, Hp, Wp, 3]` normalised, padded network input (channels B,G,R when `toBgr255`). */
  input: tf.Tensor4D;
  /** Size of the given image. */
  originalSize: ImageSize;
  /** Resized, unpadded size (official `image_sizes`): boxes are clipped to it and rescaled from it. */
  imageSize: ImageSize;
}

export function preprocessImage(image: PixelImage, cfg: InputConfig, options: PreprocessOptions = {}): PreprocessedImage {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new ImageInputError(`image size ${width}×${height} is not a positive integer size`);
  }
  const channels = data.length / (width * height);
  if (channels !== 3 && channels !== 4) {
    throw new ImageInputError(`pixel buffer of ${data.length} bytes is neither RGB nor RGBA for ${width}×${height}`);
  }
  const originalSize = { height, width };
  const imageSize = resizedSize(originalSize, cfg.minSizeTest, options.maxSize === undefined ? cfg.maxSizeTest : options.maxSize);
  const padded = paddedSize(imageSize, cfg.sizeDivisibility);
  const input = tf.tidy(() => {
    // PIL resizes the uint8 RGB image, before ToTensor; on the CPU, bit-exact.
    const resized = pilBilinearResize({ data, width, height, channels: channels === 4 ? 4 : 3 }, imageSize.width, imageSize.height);
    let x = tf.tensor3d(Float32Array.from(resized), [imageSize.height, imageSize.width, 3]); // [h, w, 3] RGB 0..255
    x = cfg.toBgr255 ? tf.reverse(x, -1) : tf.div(x, 255); // BGR ×255, or RGB in [0, 1]
    // Per-channel constants as [1, 1, 3]: tfjs-webgpu broadcasts a rank-1 operand ~10× slower (SwiftShader).
    const normalised = tf.div(tf.sub(x, tf.tensor3d(cfg.pixelMean, [1, 1, 3])), tf.tensor3d(cfg.pixelStd, [1, 1, 3]));
    const pad: [number, number][] = [[0, padded.height - imageSize.height], [0, padded.width - imageSize.width], [0, 0]];
    return tf.expandDims(tf.pad(normalised, pad), 0) as tf.Tensor4D; // [1, Hp, Wp, 3]
  });
  return { input, originalSize, imageSize };
}
