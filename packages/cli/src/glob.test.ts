import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob, isGlob } from './glob.ts';

const work = mkdtempSync(join(tmpdir(), 'webglip-glob-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('isGlob', () => {
  it('tells globs from plain paths', () => {
    expect(isGlob('shots/*.png')).toBe(true);
    expect(isGlob('shots/{a,b}.png')).toBe(true);
    expect(isGlob('shots/img-?.png')).toBe(true);
    expect(isGlob('shots/a.png')).toBe(false);
  });
});

describe('expandGlob', () => {
  it('walks the folders below the glob\'s fixed prefix and returns sorted paths that keep that prefix', async () => {
    mkdirSync(join(work, 'b', 'c'), { recursive: true });
    mkdirSync(join(work, '.hidden'));
    for (const f of ['a.png', 'z.jpg', 'b/x.png', 'b/c/y.png', '.hidden/h.png', 'b/notes.txt']) writeFileSync(join(work, f), '');
    expect(await expandGlob(join(work, '*.png'))).toEqual([join(work, 'a.png')]);
    expect(await expandGlob(join(work, '**/*.png'))).toEqual(['a.png', 'b/c/y.png', 'b/x.png'].map((f) => join(work, f)));
    expect(await expandGlob(join(work, 'b/*'))).toEqual(['b/notes.txt', 'b/x.png'].map((f) => join(work, f)));
    expect(await expandGlob(join(work, '*.{png,jpg}'))).toEqual(['a.png', 'z.jpg'].map((f) => join(work, f)));
    expect(await expandGlob(join(work, '*.gif'))).toEqual([]);
    expect(await expandGlob(join(work, '[ab]*.png'))).toEqual([join(work, 'a.png')]);
    expect(await expandGlob(join(work, 'b/?.png'))).toEqual([join(work, 'b/x.png')]);
  });
});
