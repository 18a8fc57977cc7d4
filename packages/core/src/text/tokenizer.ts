// The BERT WordPiece tokenizer GLIP uses (bert-base-uncased), as HF's fast tokenizer: ids and tokens
// from tokenizers-wasm (HF tokenizers compiled to wasm), char offsets and char_to_token recovered by
// aligning the tokens with our own BERT normalisation (tokenizers-wasm returns no offsets).
//
// Loading the wasm: tokenizers-wasm is a wasm-bindgen "bundler" build, its glue does
// `import * as wasm from './tokenizers_wasm_bg.wasm'` (WebAssembly ESM integration).
// - Vite 8 (browser build and vitest) implements that import natively; vitest must inline the
//   package (`server.deps.inline: ['tokenizers-wasm']`) so the import goes through Vite.
// - Plain Node (tsx, the CLI) needs `./node-wasm-loader.ts` registered before this module is linked.
// The subpath `tokenizers-wasm/tokenizers_wasm.js` is imported because the package has only a
// `module` field, which Vite's server-side resolution ignores.
import { TokenizerWasm } from 'tokenizers-wasm/tokenizers_wasm.js';
import { TokenizerError } from '../errors.ts';
import { normalizeBert } from './bert-normalizer.ts';
import type { CharSpan } from './bert-normalizer.ts';
import { alignTokenOffsets, charToTokenTable } from './token-offsets.ts';

export type { CharSpan } from './bert-normalizer.ts';

/** One tokenised text: `[CLS] … [SEP]`, unpadded and untruncated. */
export interface Encoding {
  readonly ids: Int32Array;
  readonly tokens: readonly string[];
  /** Span of each token in the original text (UTF-16 indices); null for [CLS]/[SEP] and unmatched tokens. */
  readonly offsets: readonly (CharSpan | null)[];
  /** HF `char_to_token`: the token containing original char `i` (UTF-16 index), or null. */
  charToToken(i: number): number | null;
}

interface TokenizerJson {
  normalizer?: { type?: string; lowercase?: boolean } | null;
  model?: { type?: string; unk_token?: string };
  added_tokens?: { id: number; content: string; special: boolean }[];
}

export class BertTokenizer {
  private constructor(
    private wasm: TokenizerWasm | null,
    private readonly specialTokens: ReadonlySet<string>,
    /** Id of `[SEP]`, which ends every (also every truncated) sequence. */
    readonly sepId: number,
  ) {}

  /** Builds the tokenizer from the text of a HF `tokenizer.json` (BERT uncased WordPiece). */
  static fromJson(json: string): BertTokenizer {
    let spec: TokenizerJson;
    try {
      spec = JSON.parse(json) as TokenizerJson;
    } catch (cause) {
      throw new TokenizerError('tokenizer.json is not valid JSON: the model folder is incomplete or corrupt', { cause });
    }
    if (spec.model?.type !== 'WordPiece' || spec.normalizer?.type !== 'BertNormalizer' || spec.normalizer.lowercase === false) {
      throw new TokenizerError('tokenizer.json is not a BERT uncased WordPiece tokenizer (GLIP uses bert-base-uncased)');
    }
    const added = spec.added_tokens ?? [];
    const sep = added.find((t) => t.content === '[SEP]');
    if (!sep || !added.some((t) => t.content === '[CLS]') || spec.model.unk_token !== '[UNK]') {
      throw new TokenizerError('tokenizer.json lacks the [CLS]/[SEP]/[UNK] tokens of bert-base-uncased');
    }
    const specials = new Set(added.filter((t) => t.special).map((t) => t.content));
    return new BertTokenizer(new TokenizerWasm(json), specials, sep.id);
  }

  encode(text: string): Encoding {
    if (!this.wasm) throw new TokenizerError('the tokenizer was disposed');
    const encoded = this.wasm.encode(text, true);
    const ids = Int32Array.from(encoded.input_ids);
    const tokens = (encoded.tokens as unknown[]).map(String);
    encoded.free();
    const offsets = alignTokenOffsets(normalizeBert(text), tokens, this.specialTokens);
    const table = charToTokenTable(text.length, offsets);
    return {
      ids,
      tokens,
      offsets,
      charToToken: (i) => (i >= 0 && i < table.length && table[i] >= 0 ? table[i] : null),
    };
  }

  dispose(): void {
    this.wasm?.free();
    this.wasm = null;
  }
}
