"""Checks tools/train/wordpiece.py against /work/shared/fixtures/tokenizer-cases.json (ids, offsets, char_to_token)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wordpiece import WordPiece  # noqa: E402

shared = sys.argv[1] if len(sys.argv) > 1 else '/work/shared'
tok = WordPiece(os.path.join(shared, 'data/bert-base-uncased/vocab.txt'))
cases = json.load(open(os.path.join(shared, 'fixtures/tokenizer-cases.json')))['cases']
bad = 0
for c in cases:
    ids, toks, offs = tok.encode(c['text'])
    offs_ok = [list(o) if o else None for o in offs] == c['offsets']
    c2t_ok = [tok.char_to_token(offs, i) for i in range(len(c['text']))] == c['char_to_token']
    ok = ids == c['input_ids']
    bad += (not ok) + (not offs_ok) + (not c2t_ok)
    print('ok ' if ok else 'BAD', 'offsets ok' if offs_ok else 'offsets BAD', 'c2t ok' if c2t_ok else 'c2t BAD',
          repr(c['text'])[:50])
    if not ok:
        print('  mine', toks)
        print('  ref ', c['tokens'])
print(f'{len(cases)} cases, {bad} mismatches')
sys.exit(1 if bad else 0)
