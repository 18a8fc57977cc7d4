import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/fixtures.ts';
import { checkBindings, wgslBindings } from './wgsl-bindings.ts';

const MODULE = `
// @group(0) @binding(9) var<storage, read> commented: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;
`;

describe('wgslBindings / checkBindings', () => {
  it('reads group-0 bindings in binding order, ignoring comments, with aliased views as one binding', () => {
    expect(wgslBindings('m', MODULE)).toEqual([
      { binding: 0, names: ['x'], kind: 'input' },
      { binding: 1, names: ['w'], kind: 'input' },
      { binding: 2, names: ['y', 'y4'], kind: 'output' },
      { binding: 3, names: ['params'], kind: 'uniform' },
    ]);
  });

  it('accepts matching names in any order and names every mismatch', () => {
    const b = wgslBindings('m', MODULE);
    expect(() => checkBindings('m', b, ['w', 'x'], ['y'])).not.toThrow();
    expect(() => checkBindings('m', b, ['w', 'x'], ['y4'])).not.toThrow();
    expect(() => checkBindings('m', b, ['w', 'x'], ['y', 'y4'])).toThrow(/binding 2 is given twice/);
    expect(() => checkBindings('m', b, ['x'], ['y'])).toThrow(/binding 1 "w" \(input\) is given no tensor/);
    expect(() => checkBindings('m', b, ['x', 'w', 'z'], ['y'])).toThrow(/no binding "z"/);
    expect(() => checkBindings('m', b, ['x', 'w', 'y'], [])).toThrow(/"y" is declared as an output, given as an input/);
    expect(() => wgslBindings('m', `${MODULE}@group(0) @binding(3) var<storage, read> again: array<f32>;`)).toThrow(/binding 3 is declared as an uniform/);
  });

  it('every shader in shaders/ declares inputs, outputs and one uniform params in group 0', () => {
    const dir = resolve(REPO_ROOT, 'shaders');
    const files = readdirSync(dir).filter((f) => f.endsWith('.wgsl'));
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const file of files) {
      const bindings = wgslBindings(file, readFileSync(resolve(dir, file), 'utf8'));
      expect(bindings.filter((b) => b.kind === 'uniform').map((b) => b.names), file).toEqual([['params']]);
      expect(bindings.some((b) => b.kind === 'output'), file).toBe(true);
      expect(bindings.map((b) => b.binding), file).toEqual(bindings.map((_, i) => i));
    }
  });
});
