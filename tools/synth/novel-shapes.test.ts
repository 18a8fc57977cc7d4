// The novel shapes (heart, crescent, arrow, pentagon) stay out of the shipped model's data: the default
// vocabulary and splits never hold them, a default scene is byte-identical to before they existed, and
// each one renders as a non-empty object inside its box when a scene asks for it.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateImage, generateSplit } from './dataset.ts';
import { Rng } from './prng.ts';
import { renderScene } from './scene.ts';
import { CATEGORIES, COLORS, NOVEL_SHAPES, SHAPES } from './vocabulary.ts';

describe('novel shapes are not in the training vocabulary', () => {
  it('SHAPES and CATEGORIES exclude them; default splits never draw them', () => {
    for (const s of NOVEL_SHAPES) {
      expect(SHAPES as readonly string[]).not.toContain(s);
      expect(CATEGORIES.some((c) => c.name.includes(s))).toBe(false);
    }
    for (const g of [...generateSplit('train', 20, 1), ...generateSplit('val', 10, 2)]) {
      for (const a of g.annotations) expect(NOVEL_SHAPES as readonly string[]).not.toContain(a.shape);
      for (const p of g.image.prompts) for (const s of NOVEL_SHAPES) expect(p.caption).not.toContain(s);
    }
  });

  it("train seed 1's first image is the same bytes and records as before the novel shapes were added", () => {
    const g = generateImage('train', 1, 0, 1);
    const digest = createHash('sha256').update(g.scene.rgba).update(JSON.stringify([g.image, g.annotations])).digest('hex');
    // Computed from the commit before this change (f44cd32).
    expect(digest).toBe('e335286c3959ed0c822e83f8aef7210e27014e7c882db9856e35565abea95220');
  });
});

describe('novel shapes render', () => {
  for (const shape of NOVEL_SHAPES) {
    it(`${shape}: drawn only when asked, non-empty pixels inside its box`, () => {
      const scene = renderScene(new Rng(5), { width: 160, height: 160, allowHeldOut: false, requireHeldOut: false, pairs: COLORS.map((c) => [c, shape] as const) });
      expect(scene.objects.length).toBeGreaterThan(0);
      const top = scene.objects[scene.objects.length - 1];
      expect(top.shape).toBe(shape);
      const [x0, y0, x1, y1] = top.box;
      let inside = 0;
      let outsideBox = 0;
      for (let y = 0; y < 160; y++) {
        for (let x = 0; x < 160; x++) {
          const i = (y * 160 + x) * 4;
          const same = scene.rgba[i] === top.rgb[0] && scene.rgba[i + 1] === top.rgb[1] && scene.rgba[i + 2] === top.rgb[2];
          if (!same) continue;
          if (x >= x0 && x < x1 && y >= y0 && y < y1) inside++;
          else outsideBox++;
        }
      }
      expect(inside).toBeGreaterThan(0.2 * (x1 - x0) * (y1 - y0));
      expect(outsideBox).toBe(0);
    });
  }
});
