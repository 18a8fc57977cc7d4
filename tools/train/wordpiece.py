"""bert-base-uncased WordPiece tokenizer (HF BertTokenizerFast semantics: clean text, isolate CJK chars, strip
accents, lowercase, split on whitespace/punctuation, greedy longest-match WordPiece), with character offsets
into the original string so that GLIP's `char_to_token` positive maps can be built."""
import unicodedata

CLS, SEP, PAD, UNK = '[CLS]', '[SEP]', '[PAD]', '[UNK]'


def _is_whitespace(c):
    return c in ' \t\n\r' or unicodedata.category(c) == 'Zs'


def _is_control(c):
    return c not in '\t\n\r' and unicodedata.category(c).startswith('C')


def _is_punct(c):
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c).startswith('P')


def _is_cjk(o):
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF or 0x2A700 <= o <= 0x2B73F
            or 0x2B740 <= o <= 0x2B81F or 0x2B820 <= o <= 0x2CEAF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)


class WordPiece:
    def __init__(self, vocab_path):
        with open(vocab_path, encoding='utf-8') as f:
            self.vocab = {line.rstrip('\n'): i for i, line in enumerate(f)}

    def _normalize(self, text):
        """-> list of (normalised char, original index)"""
        out = []
        for i, c in enumerate(text):
            if c == '\0' or c == '\ufffd' or _is_control(c):
                continue
            if _is_whitespace(c):
                out.append((' ', i))
                continue
            if _is_cjk(ord(c)):
                out += [(' ', i), (c, i), (' ', i)]
                continue
            for d in unicodedata.normalize('NFD', c):
                if unicodedata.category(d) == 'Mn':
                    continue
                for lc in d.lower():
                    out.append((lc, i))
        return out

    def _words(self, chars):
        words, cur = [], []
        for c, i in chars:
            if c == ' ':
                if cur:
                    words.append(cur)
                cur = []
            elif _is_punct(c):
                if cur:
                    words.append(cur)
                words.append([(c, i)])
                cur = []
            else:
                cur.append((c, i))
        if cur:
            words.append(cur)
        return words

    def _wordpiece(self, word):
        """word: list of (char, orig index) -> list of (token, (start, end))"""
        span = (word[0][1], word[-1][1] + 1)
        if len(word) > 100:
            return [(UNK, span)]
        s = ''.join(c for c, _ in word)
        pieces, start = [], 0
        while start < len(s):
            end = len(s)
            found = None
            while start < end:
                sub = s[start:end] if start == 0 else '##' + s[start:end]
                if sub in self.vocab:
                    found = sub
                    break
                end -= 1
            if found is None:
                return [(UNK, span)]
            pieces.append((found, (word[start][1], word[end - 1][1] + 1)))
            start = end
        return pieces

    def encode(self, text):
        """-> (input_ids with [CLS]/[SEP], tokens, offsets (None for specials))"""
        toks = [(CLS, None)]
        for w in self._words(self._normalize(text)):
            toks += self._wordpiece(w)
        toks.append((SEP, None))
        return [self.vocab[t] for t, _ in toks], [t for t, _ in toks], [o for _, o in toks]

    @staticmethod
    def char_to_token(offsets, i):
        for t, o in enumerate(offsets):
            if o is not None and o[0] <= i < o[1]:
                return t
        return None

    def span_tokens(self, offsets, beg, end):
        """GLIP create_positive_map: tokens char_to_token(beg)..char_to_token(end-1) with its fallbacks."""
        b = self.char_to_token(offsets, beg)
        e = self.char_to_token(offsets, end - 1)
        if b is None:
            b = self.char_to_token(offsets, beg + 1)
            if b is None:
                b = self.char_to_token(offsets, beg + 2)
        if e is None:
            e = self.char_to_token(offsets, end - 2)
            if e is None:
                e = self.char_to_token(offsets, end - 3)
        if b is None or e is None:
            return []
        return list(range(b, e + 1))
