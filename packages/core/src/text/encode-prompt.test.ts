import { describe, expect, it } from 'vitest';
import { PromptError } from '../errors.ts';
import { caseJson, caseTensors } from '../testing/fixtures.ts';
import type { CharSpan } from './bert-normalizer.ts';
import { encodePrompt, MAX_QUERY_LEN } from './encode-prompt.ts';
import { captionPrompt, categoryPrompt, parsePrompt } from './prompt.ts';
import { testTokenizer } from '../testing/test-tokenizer.ts';

interface CaseRun {
  name: string;
  demo_input: string | string[];
  caption_string_given_to_model: string;
  tokens_positive_char_spans: CharSpan[][];
  positive_map_label_to_token: Record<string, number[]>;
  model_tokens: string[];
}

const runs = (caseJson().runs as CaseRun[]).map((r) => [r.name, r] as const);
const tokenizer = testTokenizer();

describe.each(runs)('case-a run "%s"', (name, run) => {
  const prompt = Array.isArray(run.demo_input)
    ? categoryPrompt(run.demo_input)
    : captionPrompt(run.demo_input, run.tokens_positive_char_spans.map((spans) => spans[0]));
  const encoded = encodePrompt(tokenizer, prompt);
  const n = encoded.inputIds.length;

  it('builds the caption string and phrase spans GLIP gave the model', () => {
    expect(encoded.caption).toBe(run.caption_string_given_to_model);
    expect(encoded.phrases.map((p) => [p.charSpan])).toEqual(run.tokens_positive_char_spans);
    expect(encoded.dropped).toEqual([]);
  });

  it('matches tokens.input_ids (padded to 256) and the unpadded demo tokens', () => {
    const padded = caseTensors().get(`${name}/tokens.input_ids`);
    expect(padded.shape).toEqual([1, MAX_QUERY_LEN]);
    const ours = new Int32Array(MAX_QUERY_LEN);
    ours.set(encoded.inputIds);
    expect(Array.from(ours)).toEqual(Array.from(padded.data));
    expect(Array.from(encoded.inputIds)).toEqual(Array.from(caseTensors().get(`${name}/demo_tokens.input_ids`).data));
    expect(encoded.tokens).toEqual(run.model_tokens);
  });

  it('matches positive_map exactly and positive_map_label_to_token', () => {
    const official = caseTensors().get(`${name}/positive_map`);
    const [phrases, width] = official.shape;
    expect(phrases).toBe(encoded.phrases.length);
    const ours = new Float32Array(phrases * width);
    for (let p = 0; p < phrases; p++) ours.set(encoded.positiveMap.subarray(p * n, (p + 1) * n), p * width);
    expect(Array.from(ours)).toEqual(Array.from(official.data));
    const labelToToken = Object.fromEntries(encoded.phrases.map((p, i) => [String(i + 1), p.tokenIndices]));
    expect(labelToToken).toEqual(run.positive_map_label_to_token);
  });
});

describe('encodePrompt', () => {
  it('encodes "person. dog. frisbee." with one token range per phrase', () => {
    const encoded = encodePrompt(tokenizer, parsePrompt('person. dog. frisbee.'));
    expect(Array.from(encoded.inputIds)).toEqual([101, 2711, 1012, 3899, 1012, 10424, 2483, 11306, 1012, 102]);
    expect(encoded.phrases.map((p) => p.tokenIndices)).toEqual([[1], [3], [5, 6, 7]]);
  });

  it('keeps spans right with upper case, accents, CJK, punctuation and [UNK]', () => {
    const caption = 'Two RÉSUMÉ frisbees, 中文 sign; a 🐶 and Ｘｙｚ!';
    const spans: CharSpan[] = [[4, 19], [21, 23], [32, 34], [39, 42]];
    const encoded = encodePrompt(tokenizer, captionPrompt(caption, spans));
    expect(encoded.tokens).toEqual([
      '[CLS]', 'two', 'resume', 'fr', '##is', '##bee', '##s', ',', '中', '文', 'sign', ';', 'a', '[UNK]', 'and', '[UNK]', '!', '[SEP]',
    ]);
    expect(encoded.phrases.map((p) => [p.text, p.tokenIndices])).toEqual([
      ['RÉSUMÉ frisbees', [2, 3, 4, 5, 6]],
      ['中文', [8, 9]],
      ['🐶', [13]],
      ['Ｘｙｚ', [15]],
    ]);
    for (const p of encoded.phrases) {
      for (const t of p.tokenIndices) {
        const [s, e] = encoded.tokenOffsets[t] ?? [-1, -1];
        expect(s >= p.charSpan[0] && e <= p.charSpan[1], `token ${t} inside ${p.text}`).toBe(true);
      }
    }
  });

  it('normalises positive-map rows by token count + 1e-6 over the real tokens only', () => {
    const encoded = encodePrompt(tokenizer, parsePrompt('frisbee. dog'));
    const n = encoded.inputIds.length;
    expect(encoded.positiveMap.length).toBe(2 * n);
    expect(encoded.positiveMap[1]).toBe(Math.fround(1 / Math.fround(3 + 1e-6)));
    expect(encoded.positiveMap[n + 5]).toBe(Math.fround(1 / Math.fround(1 + 1e-6)));
  });

  it('truncates at 256 tokens like batch_encode_plus and reports the phrases cut off', () => {
    const names = Array.from({ length: 130 }, (_, i) => `thing${i}`); // "thing12" → thing ##12: 3 tokens with " . "
    const encoded = encodePrompt(tokenizer, categoryPrompt(names));
    expect(encoded.inputIds.length).toBe(MAX_QUERY_LEN);
    expect(encoded.inputIds[0]).toBe(101);
    expect(encoded.inputIds[MAX_QUERY_LEN - 1]).toBe(102);
    expect(encoded.tokens[MAX_QUERY_LEN - 1]).toBe('[SEP]');
    const full = tokenizer.encode(encoded.caption);
    expect(Array.from(encoded.inputIds.subarray(0, MAX_QUERY_LEN - 1))).toEqual(Array.from(full.ids.subarray(0, MAX_QUERY_LEN - 1)));
    const kept = encoded.phrases.length;
    expect(kept + encoded.dropped.length).toBe(130);
    expect(encoded.dropped.every((d) => d.reason === 'truncated')).toBe(true);
    expect(encoded.dropped[0].text).toBe(`thing${kept}`);
    expect(Math.max(...encoded.phrases.flatMap((p) => p.tokenIndices))).toBeLessThanOrEqual(MAX_QUERY_LEN - 2);
    expect(encoded.positiveMap.length).toBe(kept * MAX_QUERY_LEN);
  });

  it('throws a PromptError when no phrase fits at all', () => {
    const long = `${'word '.repeat(300)}dog`;
    expect(() => encodePrompt(tokenizer, captionPrompt(long, [[long.length - 3, long.length]]))).toThrow(PromptError);
  });
});
