import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BERT_TOKENIZER_JSON } from '@webglip/core/testing';
import { encodePrompt } from '@webglip/core/engine';
import { BertTokenizer } from '@webglip/core/engine';
import { distinctImage, distinctPrompt } from './workload.ts';

describe('benchmark workload', () => {
  it('gives 60 distinct prompts of 11 tokens each (no cache hit, same cost)', () => {
    const tokenizer = BertTokenizer.fromJson(readFileSync(BERT_TOKENIZER_JSON, 'utf8'));
    const captions = new Set<string>();
    for (let k = 0; k < 60; k++) {
      const p = distinctPrompt(k);
      captions.add(p.caption);
      expect(encodePrompt(tokenizer, p).inputIds.length, p.caption).toBe(11);
    }
    expect(captions.size).toBe(60);
    tokenizer.dispose();
  });

  it('changes one byte of the image per index', () => {
    const image = { data: new Uint8Array(300).fill(7), width: 10, height: 10 };
    const a = distinctImage(image, 1);
    const b = distinctImage(image, 2);
    expect(a.data.filter((v, i) => v !== image.data[i]).length).toBe(1);
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
    expect(image.data.every((v) => v === 7)).toBe(true);
  });
});
