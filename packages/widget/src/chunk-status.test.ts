import { describe, expect, it } from 'vitest';
import { chunkStatus } from './chunk-status.ts';

describe('chunkStatus', () => {
  it('says chunk i of k for a vocabulary in several chunks, nothing for one chunk', () => {
    expect(chunkStatus({ done: 1, total: 1 })).toBeNull();
    expect(chunkStatus({ done: 2, total: 3 })).toBe('Detecting: chunk 2 of 3 done…');
    expect(chunkStatus({ done: 3, total: 3 })).toBe('Detected in 3 chunks: chunk 3 of 3 done.');
  });
});
