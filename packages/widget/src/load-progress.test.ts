import { describe, expect, it } from 'vitest';
import { loadStatus } from './load-progress.ts';

describe('loadStatus', () => {
  it('says what is loading, how much of it, and from where', () => {
    const base = { loadedBytes: 3.2e6, totalBytes: 11.4e6, shard: 'model-00001.safetensors', fromCache: false };
    expect(loadStatus({ ...base, phase: 'download' })).toEqual({ text: 'Downloading weights: 3.2 / 11.4 MB (model-00001.safetensors)…', value: 3.2e6, max: 11.4e6 });
    expect(loadStatus({ ...base, phase: 'download', fromCache: true }).text).toBe('Reading cached weights: 3.2 / 11.4 MB (model-00001.safetensors)…');
    expect(loadStatus({ ...base, shard: null, phase: 'compile', pipelines: { compiled: 40, total: 136 } })).toEqual({ text: 'Compiling GPU pipelines: compile 40/136…', value: 40, max: 136 });
    expect(loadStatus({ loadedBytes: 0, totalBytes: 0, shard: null, fromCache: false, phase: 'manifest' })).toEqual({ text: 'Reading the manifest…', value: 0, max: 1 });
  });
});
