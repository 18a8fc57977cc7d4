// CLI: `pnpm tsx tools/synth/examples.ts` writes the demo's example gallery, web/public/examples/
// example-N.png and examples.json ([{file, prompt, alt}]): scenes of the val split's generator (seed
// 24, never the seeds the tests use), each with a prompt naming every category it shows, once.
// The picks are scenes glip-nano answers at the default threshold 0.4 (checked with
// `pnpm webglip detect --backend wasm`: every object found with the right phrase).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, generateImage } from './dataset.ts';

const SEED = 24;
const PICKS = [4, 1, 6];
const OUT = 'web/public/examples';

interface Example {
  file: string;
  prompt: string;
  alt: string;
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const examples: Example[] = PICKS.map((index, n) => {
    const { scene, annotations } = generateImage('val', SEED, index, 1);
    const names = [...new Set(annotations.map((a) => `${a.color} ${a.shape}`))];
    const file = `example-${n + 1}.png`;
    writeFileSync(join(OUT, file), encodePng(scene.rgba, scene.width, scene.height));
    return { file, prompt: `${names.join('. ')}.`, alt: `generated scene: ${annotations.length} shapes (${names.join(', ')})` };
  });
  writeFileSync(join(OUT, 'examples.json'), `${JSON.stringify(examples, null, 2)}\n`);
  console.log(`${examples.length} examples → ${OUT}`);
}

main();
