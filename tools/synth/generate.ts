// CLI: `pnpm tsx tools/synth/generate.ts --split train --count 4000 --seed 1 --out tools/synth/out`
// writes <out>/<split>/images/NNNNNN.png and <out>/<split>/annotations.json.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SPLITS, emptyDataset, encodePng, generateSplit } from './dataset.ts';
import type { Split } from './dataset.ts';

function main(): number {
  const { values } = parseArgs({
    options: {
      split: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'tools/synth/out' },
    },
  });
  const split = values.split as Split;
  const count = Number(values.count);
  const seed = Number(values.seed);
  if (!SPLITS.includes(split) || !Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    console.error(`usage: generate.ts --split ${SPLITS.join('|')} --count N --seed S [--out DIR]`);
    return 2;
  }
  const dir = join(values.out, split);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  const dataset = emptyDataset();
  const started = Date.now();
  for (const g of generateSplit(split, count, seed)) {
    writeFileSync(join(dir, g.image.file_name), encodePng(g.scene.rgba, g.scene.width, g.scene.height));
    dataset.images.push(g.image);
    dataset.annotations.push(...g.annotations);
    if (g.image.id % 500 === 0) console.log(`${split}: ${g.image.id}/${count} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  writeFileSync(join(dir, 'annotations.json'), JSON.stringify(dataset));
  console.log(`${split}: ${count} images, ${dataset.annotations.length} annotations → ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}

process.exitCode = main();
