import { describe, expect, it } from 'vitest';
import type { Detection } from '@webglip/core/engine';
import { annotateImage, labelScale } from './annotate-png.ts';
import { GLYPH_HEIGHT, GLYPH_WIDTH, rasterizeText, textWidth } from './bitmap-font.ts';

const CHARSET = ' ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-_\'"()[]/&+#%!?…';

function detection(phrase: string, charSpan: [number, number], score: number, box: Detection['box']): Detection {
  return { box, score, phrase, charSpan, tokenIndices: [1] };
}

function grey(width: number, height: number) {
  return { data: new Uint8Array(width * height * 3).fill(128), width, height };
}

describe('bitmap font', () => {
  it('has a 5×7 glyph for every character it claims, all different, and a "?" for the rest', () => {
    const bitmaps = [...CHARSET].map((c) => {
      const ink: string[] = [];
      rasterizeText(c, 0, 0, 1, (x, y) => {
        expect(x >= 0 && x < GLYPH_WIDTH && y >= 0 && y < GLYPH_HEIGHT, `${c} inside its cell`).toBe(true);
        ink.push(`${x},${y}`);
      });
      if (c !== ' ') expect(ink.length, c).toBeGreaterThan(0);
      return ink.join(' ');
    });
    expect(new Set(bitmaps).size).toBe(CHARSET.length);
    const question = bitmaps[CHARSET.indexOf('?')];
    const unknown: string[] = [];
    rasterizeText('€', 0, 0, 1, (x, y) => unknown.push(`${x},${y}`));
    expect(unknown.join(' ')).toBe(question);
    expect(textWidth('AB', 2)).toBe(22);
  });
});

describe('annotateImage (the CLI --out PNG)', () => {
  it('draws each label with its score inside the image, none over another, in ink on its phrase’s colour', () => {
    const image = grey(200, 100);
    const detections = [
      detection('red circle', [0, 10], 0.91, [150, 2, 199, 40]), // at the right edge
      detection('blue square', [12, 23], 0.62, [150, 2, 199, 40]), // the same place
      detection('red circle', [0, 10], 0.33, [10, 60, 60, 99]),
    ];
    const { png, labels } = annotateImage(image, detections, [{ charSpan: [0, 10] }, { charSpan: [12, 23] }]);
    expect(labels.map((l) => l.text)).toEqual(['RED CIRCLE 0.91', 'BLUE SQUARE 0.62', 'RED CIRCLE 0.33']);
    const pixel = (x: number, y: number) => [...png.data.subarray(4 * (y * 200 + x), 4 * (y * 200 + x) + 3)];
    for (const [i, { rect, index }] of labels.entries()) {
      expect(rect.x >= 0 && rect.y >= 0 && rect.x + rect.width <= 200 && rect.y + rect.height <= 100).toBe(true);
      for (const other of labels.slice(i + 1)) {
        const o = other.rect;
        expect(rect.x < o.x + o.width && o.x < rect.x + rect.width && rect.y < o.y + o.height && o.y < rect.y + rect.height).toBe(false);
      }
      const colours = new Set<string>();
      for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) colours.add(pixel(x, y).join());
      expect(colours).toEqual(new Set(['0,0,0', index === 1 ? '52,195,255' : '255,176,0'])); // text on the tab, nothing else
    }
    expect(pixel(5, 5)).toEqual([128, 128, 128]); // the image itself is kept
  });

  it('shortens a phrase too long for the image, keeping its score, and sizes text with the image', () => {
    const { labels } = annotateImage(grey(60, 40), [detection('a very long phrase', [0, 18], 0.5, [0, 0, 59, 39])]);
    expect(labels[0].text).toBe('A V… 0.50');
    expect(labels[0].rect.width).toBeLessThanOrEqual(60);
    expect(labelScale({ width: 320, height: 240 })).toBe(1);
    expect(labelScale({ width: 1600, height: 1200 })).toBe(4);
  });
});
