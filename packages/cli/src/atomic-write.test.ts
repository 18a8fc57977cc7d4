import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './atomic-write.ts';

const work = mkdtempSync(join(tmpdir(), 'webglip-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('replaces the file with the complete new contents and leaves nothing beside it', async () => {
    const path = join(work, 'a.json');
    writeFileSync(path, 'old');
    await writeFileAtomically(path, 'new contents');
    expect(readFileSync(path, 'utf8')).toBe('new contents');
    expect(readdirSync(work)).toEqual(['a.json']);
  });

  it('on a failure leaves no partial file (the target a folder: the rename fails after the write)', async () => {
    const dir = join(work, 'taken');
    mkdirSync(join(dir, 'inside'), { recursive: true });
    await expect(writeFileAtomically(dir, 'x')).rejects.toThrow();
    expect(readdirSync(work).sort()).toEqual(['a.json', 'taken']);
    expect(readdirSync(dir)).toEqual(['inside']);
  });
});
