import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitLabel, labelFontPx, layoutLabels, type LabelRect } from './label-layout.ts';

const inside = (r: LabelRect, w: number, h: number): boolean => r.x >= 0 && r.y >= 0 && r.x + r.width <= w && r.y + r.height <= h;
const overlap = (a: LabelRect, b: LabelRect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutLabels', () => {
  it('puts a lone label just above its box, at its left edge', () => {
    expect(layoutLabels([{ box: [40, 50, 90, 80], size: { width: 30, height: 10 } }], { width: 200, height: 100 })).toEqual([
      { x: 40, y: 40, width: 30, height: 10 },
    ]);
  });

  it('keeps the label of a box at the right or top edge inside the canvas', () => {
    const [label] = layoutLabels([{ box: [170, 0, 200, 30], size: { width: 60, height: 12 } }], { width: 200, height: 100 });
    expect(label).toEqual({ x: 140, y: 0, width: 60, height: 12 });
  });

  it('moves the label of a second box on the same spot out of the first one’s way', () => {
    const box = [20, 30, 80, 70] as const;
    const [a, b] = layoutLabels(
      [
        { box, size: { width: 40, height: 10 } },
        { box, size: { width: 40, height: 10 } },
      ],
      { width: 100, height: 100 },
    );
    expect(a).toEqual({ x: 20, y: 20, width: 40, height: 10 });
    expect(b).toEqual({ x: 20, y: 30, width: 40, height: 10 }); // inside the box's top edge
  });

  it('never places a label outside the canvas or over another, for any boxes (dozens included)', () => {
    const canvas = fc.record({ width: fc.integer({ min: 20, max: 800 }), height: fc.integer({ min: 20, max: 800 }) });
    fc.assert(
      fc.property(
        canvas,
        fc.array(fc.tuple(fc.double({ min: -0.2, max: 1.2, noNaN: true }), fc.double({ min: -0.2, max: 1.2, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 4, max: 300 }), fc.integer({ min: 4, max: 40 })), { maxLength: 60 }),
        ({ width, height }, specs) => {
          const requests = specs.map(([x, y, w, h, lw, lh]) => ({
            box: [x * width, y * height, (x + w) * width, (y + h) * height] as const,
            size: { width: lw, height: lh },
          }));
          const labels = layoutLabels(requests, { width, height });
          expect(labels).toHaveLength(requests.length);
          const placed = labels.filter((l): l is LabelRect => l !== null);
          for (const [i, a] of placed.entries()) {
            expect(inside(a, width, height)).toBe(true);
            for (const b of placed.slice(i + 1)) expect(overlap(a, b)).toBe(false);
          }
          if (requests.length > 0) expect(labels[0]).not.toBeNull(); // the best detection always gets its label
          labels.forEach((l, i) => {
            if (!l) return;
            const [, y0, , y1] = requests[i].box;
            // Beside its own box: from two label heights above it to one below it (or clamped into the canvas).
            expect(l.y + 1e-9 >= Math.min(y0 - 2 * l.height, height - l.height) && l.y - 1e-9 <= Math.max(0, y1 + l.height)).toBe(true);
          });
        },
      ),
      { numRuns: 300, seed: 24 },
    );
  });
});

describe('fitLabel', () => {
  const measure = (text: string): number => [...text].length * 10;

  it('keeps "phrase score" when it fits, else shortens the phrase and keeps the score', () => {
    expect(fitLabel('red circle', 0.873, 150, measure)).toBe('red circle 0.87');
    expect(fitLabel('red circle', 0.873, 100, measure)).toBe('red… 0.87');
    expect(fitLabel('red circle', 0.873, 30, measure)).toBe('0.87');
  });
});

describe('labelFontPx', () => {
  it('scales the font so labels read at the same CSS size however large the image is drawn', () => {
    expect(labelFontPx({ width: 640, height: 480 }, 640)).toBe(13);
    expect(labelFontPx({ width: 3200, height: 2400 }, 640)).toBe(65);
    expect(labelFontPx({ width: 160, height: 120 }, 640)).toBe(7); // never below the minimum
  });
});
