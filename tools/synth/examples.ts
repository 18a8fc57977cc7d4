// The demo's example gallery (web/public/examples/): scenes of the val split's generator (seed 24,
// never the seeds the tests use), each with a prompt naming every category it shows, once. The picks
// are scenes glip-nano answers at the default threshold 0.4 (checked with `pnpm webglip detect
// --backend wasm`: every object found with the right phrase). write-examples.ts writes them.
import { encodePng, generateImage } from './dataset.ts';

const SEED = 24;
const PICKS = [4, 1, 6];

/** One entry of examples.json (the demo's web/src/gallery.ts reads the same shape). */
export interface Example {
  file: string;
  prompt: string;
  alt: string;
}

/** examples.json's entries and each example's PNG bytes, by file name. */
export function exampleGallery(): { examples: Example[]; images: Map<string, Buffer> } {
  const images = new Map<string, Buffer>();
  const examples = PICKS.map((index, n): Example => {
    const { scene, annotations } = generateImage('val', SEED, index, 1);
    const names = [...new Set(annotations.map((a) => `${a.color} ${a.shape}`))];
    const file = `example-${n + 1}.png`;
    images.set(file, encodePng(scene.rgba, scene.width, scene.height));
    return { file, prompt: `${names.join('. ')}.`, alt: `generated scene: ${annotations.length} shapes (${names.join(', ')})` };
  });
  return { examples, images };
}

/** examples.json as written. */
export function examplesJson(examples: Example[]): string {
  return `${JSON.stringify(examples, null, 2)}\n`;
}
