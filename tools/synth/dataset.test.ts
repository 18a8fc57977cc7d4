// Checks the generated data against the contract: determinism, tight in-image boxes, exact
// phrase spans, and held-out colour×shape pairs confined to the compositional split.

import { describe, expect, it } from 'vitest';
import { encodePng, generateSplit } from './dataset.ts';
import type { GeneratedImage, Split } from './dataset.ts';
import { CATEGORIES, HELD_OUT, isHeldOut } from './vocabulary.ts';

const take = (split: Split, count: number, seed: number): GeneratedImage[] => [...generateSplit(split, count, seed)];

describe('synth determinism', () => {
  it('same seed gives the same PNG bytes and records; another seed differs', () => {
    const a = take('train', 3, 7);
    const b = take('train', 3, 7);
    const c = take('train', 3, 8);
    for (let i = 0; i < 3; i++) {
      const pa = encodePng(a[i].scene.rgba, 320, 320);
      expect(pa.equals(encodePng(b[i].scene.rgba, 320, 320))).toBe(true);
      expect(pa.equals(encodePng(c[i].scene.rgba, 320, 320))).toBe(false);
      expect(JSON.stringify([a[i].image, a[i].annotations])).toBe(JSON.stringify([b[i].image, b[i].annotations]));
    }
  });
});

describe('synth boxes', () => {
  const images = [...take('train', 12, 3), ...take('compositional', 6, 4)];

  it('2–6 objects per image, boxes inside the 320×320 image, area = w·h', () => {
    for (const g of images) {
      expect(g.annotations.length).toBeGreaterThanOrEqual(2);
      expect(g.annotations.length).toBeLessThanOrEqual(6);
      for (const a of g.annotations) {
        const [x, y, w, h] = a.bbox;
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(w).toBeGreaterThan(4);
        expect(h).toBeGreaterThan(4);
        expect(x + w).toBeLessThanOrEqual(320);
        expect(y + h).toBeLessThanOrEqual(320);
        expect(a.area).toBe(w * h);
      }
    }
  });

  it('are tight: each box edge row/column has a pixel mostly of the shape colour, the lines just outside have none', () => {
    // "Mostly the shape's colour" = at least as close to the fill colour as to the background
    // under it (≥ 50 % coverage); pixels that fall inside another object's box are skipped on the
    // outside lines, since a neighbour of the same colour may sit there.
    let edgesChecked = 0;
    for (const { scene, annotations } of images) {
      const rgbAt = (x: number, y: number): number[] => [0, 1, 2].map((c) => scene.rgba[(y * 320 + x) * 4 + c]);
      const bgAt = (x: number, y: number): number[] => [0, 1, 2].map((c) => scene.background[(y * 320 + x) * 3 + c]);
      const dist = (p: number[], q: readonly number[]): number => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
      annotations.forEach((a, j) => {
        const fill = scene.objects[j].rgb;
        const mostlyFill = (x: number, y: number): boolean => dist(rgbAt(x, y), fill) <= dist(rgbAt(x, y), bgAt(x, y)) + 2;
        const clearlyNotFill = (x: number, y: number): boolean => dist(rgbAt(x, y), fill) >= dist(rgbAt(x, y), bgAt(x, y)) - 2;
        const inOtherBox = (x: number, y: number): boolean =>
          annotations.some((o, k) => k !== j && x >= o.bbox[0] - 1 && x <= o.bbox[0] + o.bbox[2] && y >= o.bbox[1] - 1 && y <= o.bbox[1] + o.bbox[3]);
        const [x0, y0, w, h] = a.bbox;
        const [x1, y1] = [x0 + w - 1, y0 + h - 1];
        const xs = Array.from({ length: w }, (_, i) => x0 + i);
        const ys = Array.from({ length: h }, (_, i) => y0 + i);
        expect(xs.some((x) => mostlyFill(x, y0))).toBe(true);
        expect(xs.some((x) => mostlyFill(x, y1))).toBe(true);
        expect(ys.some((y) => mostlyFill(x0, y))).toBe(true);
        expect(ys.some((y) => mostlyFill(x1, y))).toBe(true);
        const outside: Array<[number, number]> = [
          ...(y0 > 0 ? xs.map((x): [number, number] => [x, y0 - 1]) : []),
          ...(y1 < 319 ? xs.map((x): [number, number] => [x, y1 + 1]) : []),
          ...(x0 > 0 ? ys.map((y): [number, number] => [x0 - 1, y]) : []),
          ...(x1 < 319 ? ys.map((y): [number, number] => [x1 + 1, y]) : []),
        ];
        for (const [x, y] of outside) if (!inOtherBox(x, y)) expect(clearlyNotFill(x, y), `${a.color} ${a.shape} at ${x},${y}`).toBe(true);
        edgesChecked += 4;
      });
    }
    expect(edgesChecked).toBeGreaterThan(50);
  });
});

describe('synth prompts', () => {
  const images = [...take('train', 40, 5), ...take('compositional', 20, 6)];

  it('every phrase span is the exact caption substring and points at annotations of its category', () => {
    for (const { image, annotations } of images) {
      expect(image.prompts.map((p) => p.style)).toEqual(['list', 'sentence']);
      for (const prompt of image.prompts) {
        expect(prompt.phrases.length).toBeGreaterThan(0);
        for (const ph of prompt.phrases) {
          expect(prompt.caption.slice(ph.char_span[0], ph.char_span[1])).toBe(ph.text);
          for (const id of ph.annotation_ids) {
            const ann = annotations.find((a) => a.id === id);
            expect(ann?.category_id).toBe(ph.category_id);
          }
        }
      }
    }
  });

  it('list prompts name every present category once (with all its boxes) plus 1–3 absent ones', () => {
    for (const { image, annotations } of images) {
      const list = image.prompts[0];
      const present = new Set(annotations.map((a) => a.category_id));
      const named = list.phrases.map((p) => p.category_id);
      expect(new Set(named).size).toBe(named.length);
      for (const id of present) expect(named).toContain(id);
      const absent = list.phrases.filter((p) => !present.has(p.category_id));
      expect(absent.length).toBeGreaterThanOrEqual(1);
      expect(absent.length).toBeLessThanOrEqual(3);
      for (const p of absent) expect(p.annotation_ids).toEqual([]);
      for (const p of list.phrases) {
        expect(p.text).toBe(CATEGORIES[p.category_id - 1].name);
        expect([...p.annotation_ids].sort()).toEqual(annotations.filter((a) => a.category_id === p.category_id).map((a) => a.id).sort());
      }
      expect(list.caption).toBe(list.phrases.map((p) => `${p.text}.`).join(' '));
    }
  });
});

describe('synth compositional split', () => {
  it('held-out pairs never appear in train or val (objects or prompts); each compositional image has one', () => {
    expect(HELD_OUT.length).toBe(8);
    for (const split of ['train', 'val'] as const) {
      for (const { image, annotations } of take(split, 100, 11)) {
        for (const a of annotations) expect(isHeldOut(a.color, a.shape)).toBe(false);
        for (const p of image.prompts.flatMap((q) => q.phrases)) {
          const cat = CATEGORIES[p.category_id - 1];
          expect(isHeldOut(cat.color, cat.shape)).toBe(false);
        }
      }
    }
    for (const { annotations } of take('compositional', 40, 12)) {
      expect(annotations.some((a) => isHeldOut(a.color, a.shape))).toBe(true);
    }
  });
});
