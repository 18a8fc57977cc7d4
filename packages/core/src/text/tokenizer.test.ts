import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.ts';
import { FIXTURES_DIR } from '../testing/fixtures.ts';
import { BertTokenizer } from './tokenizer.ts';
import { BERT_TOKENIZER_JSON, testTokenizer } from '../testing/test-tokenizer.ts';

interface TokenizerCase {
  text: string;
  input_ids: number[];
  tokens: string[];
  offsets: ([number, number] | null)[];
  char_to_token: (number | null)[];
}

const cases = (JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'tokenizer-cases.json'), 'utf8')) as { cases: TokenizerCase[] }).cases;

/** The fixture indexes Python code points; JS strings index UTF-16 code units. */
function utf16Index(text: string): (codePoint: number) => number {
  const starts = [0];
  for (const c of text) starts.push(starts[starts.length - 1] + c.length);
  return (cp) => starts[cp];
}

describe('BertTokenizer vs tokenizer-cases.json', () => {
  const tokenizer = testTokenizer();

  it('covers all 16 cases', () => expect(cases).toHaveLength(16));

  it.each(cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))('%s', (_, c) => {
    const enc = tokenizer.encode(c.text);
    expect(Array.from(enc.ids)).toEqual(c.input_ids);
    expect(enc.tokens).toEqual(c.tokens);
    const at = utf16Index(c.text);
    expect(enc.offsets).toEqual(c.offsets.map((o) => (o ? [at(o[0]), at(o[1])] : null)));
    // char_to_token for every code point, asked at its first UTF-16 unit (and its second, if any).
    const codePoints = [...c.text];
    codePoints.forEach((ch, cp) => {
      const expected = c.char_to_token[cp];
      expect(enc.charToToken(at(cp)), `char ${cp} ${JSON.stringify(ch)}`).toBe(expected);
      if (ch.length === 2) expect(enc.charToToken(at(cp) + 1)).toBe(expected);
    });
    expect(enc.charToToken(c.text.length)).toBeNull();
    expect(enc.charToToken(-1)).toBeNull();
  });

  it('encodes the GLIP category prompt "person. dog. frisbee."', () => {
    expect(Array.from(tokenizer.encode('person. dog. frisbee.').ids)).toEqual([101, 2711, 1012, 3899, 1012, 10424, 2483, 11306, 1012, 102]);
  });

  it('keeps spans right for decomposed accents, uppercase and a typed special token', () => {
    const text = 'CAFE\u0301 [MASK] Dog';
    const enc = tokenizer.encode(text);
    expect(enc.tokens).toEqual(['[CLS]', 'cafe', '[MASK]', 'dog', '[SEP]']);
    expect(enc.offsets).toEqual([null, [0, 4], null, [13, 16], null]);
    expect(enc.charToToken(4)).toBeNull(); // the combining acute accent is dropped
  });
});

describe('BertTokenizer.fromJson', () => {
  it('rejects invalid JSON with a TokenizerError', () => {
    expect(() => BertTokenizer.fromJson('{"model": ')).toThrow(TokenizerError);
  });

  it('rejects a tokenizer that is not BERT uncased WordPiece', () => {
    const bpe = JSON.stringify({ model: { type: 'BPE' }, normalizer: null, added_tokens: [] });
    expect(() => BertTokenizer.fromJson(bpe)).toThrow(/BERT uncased WordPiece/);
  });

  it('refuses to encode after dispose', () => {
    const tokenizer = BertTokenizer.fromJson(readFileSync(BERT_TOKENIZER_JSON, 'utf8'));
    tokenizer.dispose();
    expect(() => tokenizer.encode('dog')).toThrow(TokenizerError);
  });
});
