// Tests only: the bert-base-uncased tokenizer shipped in models/, built once per process.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './fixtures.ts';
import { BertTokenizer } from '../text/tokenizer.ts';

export const BERT_TOKENIZER_JSON = resolve(REPO_ROOT, 'models/bert-base-uncased/tokenizer.json');

let shared: BertTokenizer | undefined;

export function testTokenizer(): BertTokenizer {
  shared ??= BertTokenizer.fromJson(readFileSync(BERT_TOKENIZER_JSON, 'utf8'));
  return shared;
}
