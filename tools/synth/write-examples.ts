// CLI: `pnpm tsx tools/synth/write-examples.ts` writes the demo's example gallery (examples.ts) to
// web/public/examples/: example-N.png and examples.json ([{file, prompt, alt}]).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleGallery, examplesJson } from './examples.ts';

const OUT = 'web/public/examples';

mkdirSync(OUT, { recursive: true });
const { examples, images } = exampleGallery();
for (const [file, png] of images) writeFileSync(join(OUT, file), png);
writeFileSync(join(OUT, 'examples.json'), examplesJson(examples));
console.log(`${examples.length} examples → ${OUT}`);
