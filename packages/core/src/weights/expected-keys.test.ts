import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glipTConfig } from '../config.ts';
import { FIXTURES_DIR } from '../testing/fixtures.ts';
import { expectedTensors } from './expected-keys.ts';

interface KeyList { keys: Record<string, { shape: number[]; dtype: string; kind: string }>; n_parameters: number }

describe('expected GLIP state_dict keys', () => {
  it('are exactly the 746 keys and shapes of the real GLIP-T (glip-t-keys.json)', () => {
    const list = JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'glip-t-keys.json'), 'utf8')) as KeyList;
    const expected = expectedTensors(glipTConfig());
    const actual = Object.entries(list.keys).map(([k, v]) => [k.replace(/^module\./, ''), v] as const);
    expect(actual.map(([k]) => k).sort()).toEqual([...expected.keys()].sort());
    let parameters = 0;
    for (const [name, v] of actual) {
      const e = expected.get(name)!;
      expect(e.shape, name).toEqual(v.shape);
      expect(e.integer, name).toBe(v.dtype === 'I64');
      expect(e.recomputable, name).toBe(v.kind !== 'parameter');
      if (!e.recomputable) parameters += v.shape.reduce((a, b) => a * b, 1);
    }
    expect(parameters).toBe(231_780_222);
    expect(parameters).toBe(list.n_parameters);
  });
});
