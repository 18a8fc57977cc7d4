import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob, globRegExp, isGlob } from './glob.ts';

const work = mkdtempSync(join(tmpdir(), 'webglip-glob-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('globRegExp', () => {
  it.each([
    ['*.png', 'a.png', true], ['*.png', 'dir/a.png', false], ['*.png', 'a.png.txt', false], ['*.png', 'apng', false],
    ['**/*.png', 'a.png', true], ['**/*.png', 'x/y/a.png', true], ['x/**', 'x/y/z.jpg', true],
    ['img-?.jpg', 'img-1.jpg', true], ['img-?.jpg', 'img-10.jpg', false],
    ['[ab]*.png', 'b1.png', true], ['[!ab]*.png', 'b1.png', false], ['[0-9].png', '7.png', true],
    ['*.{png,jpg}', 'a.jpg', true], ['*.{png,jpg}', 'a.gif', false], ['a+b(1).png', 'a+b(1).png', true],
  ])('%s against %s: %s', (pattern, path, matches) => {
    expect(globRegExp(pattern).test(path)).toBe(matches);
  });

  it('tells globs from plain paths', () => {
    expect(isGlob('shots/*.png')).toBe(true);
    expect(isGlob('shots/{a,b}.png')).toBe(true);
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
  });
});
