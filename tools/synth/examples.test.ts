// The committed example gallery is exactly what the generator makes (write-examples.ts re-creates it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleGallery, examplesJson } from './examples.ts';

const DIR = 'web/public/examples';

describe('example gallery', () => {
  it('web/public/examples matches tools/synth/examples.ts byte for byte', () => {
    const { examples, images } = exampleGallery();
    expect(readFileSync(`${DIR}/examples.json`, 'utf8')).toBe(examplesJson(examples));
    for (const [file, png] of images) expect(readFileSync(`${DIR}/${file}`).equals(png), file).toBe(true);
  });
});
