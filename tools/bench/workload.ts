// Inputs that defeat the detector's caches on purpose: every prompt a distinct three-category list of
// the same token count, every image the model's image with one pixel changed (a new content hash).
import type { PixelImage } from '@webglip/core/engine';
import type { Prompt } from '@webglip/core/engine';
import { categoryPrompt } from '@webglip/core/engine';

const COLORS = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'black', 'white', 'pink', 'brown'];
const SHAPES = ['circle', 'square', 'triangle', 'star', 'ring', 'cross'];

/**
 * The k-th prompt: three "colour shape" categories (each word one WordPiece token, so every prompt has
 * 11 tokens). 60 distinct prompts in a cycle, more than the detector's prompt cache holds.
 */
export function distinctPrompt(k: number): Prompt {
  const names: string[] = [];
  for (let j = 0; j < 3; j++) {
    const n = (k % 20) * 3 + j;
    names.push(`${COLORS[n % COLORS.length]} ${SHAPES[Math.floor(n / COLORS.length) % SHAPES.length]}`);
  }
  const turn = Math.floor(k / 20) % 3;
  return categoryPrompt([...names.slice(turn), ...names.slice(0, turn)]);
}

/** A copy of `image` whose k-th pixel byte is changed, so the detector sees new pixels. */
export function distinctImage(image: PixelImage, k: number): PixelImage {
  const data = new Uint8Array(image.data);
  const at = (k * 7919) % data.length;
  data[at] = (data[at] + 1 + (k >> 8)) & 0xff;
  return { data, width: image.width, height: image.height };
}
