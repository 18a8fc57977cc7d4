// The layering of the code, checked on the real import graph (import-graph.ts): no import cycles
// anywhere; packages/ never import tools/; a package imports only the packages below it; inside core,
// a folder imports only folders of its own layer or below (docs/ARCHITECTURE.md draws the layers).
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@webglip/core/testing';
import { importCycles, importGraph, importSpecifiers, sourceFiles } from './import-graph.ts';

const files = ['packages', 'web', 'tools', 'e2e', 'shaders'].flatMap((dir) => sourceFiles(`${REPO_ROOT}/${dir}`));
const graph = importGraph(REPO_ROOT, files);

/** Which workspace packages each package may import (besides itself). */
const PACKAGE_DEPS: Record<string, string[]> = {
  shaders: [],
  core: ['shaders'],
  convert: ['core'],
  widget: ['core'],
  cli: ['core', 'convert'],
};

/** Core's folders (and its top-level files) by layer: a file may import its own layer and those below. */
const CORE_LAYERS: Record<string, number> = {
  'errors.ts': 0,
  'config.ts': 0,
  'call-queue.ts': 0,
  runtime: 1,
  weights: 2,
  text: 2,
  image: 2,
  render: 2,
  kernels: 3,
  postprocess: 4,
  model: 5,
  tuning: 6,
  '(engine)': 6,
  worker: 7,
  testing: 8,
  // The package's entry points (package.json `exports`): re-exports over every layer.
  'index.ts': 9,
  'client.ts': 9,
  'engine.ts': 9,
  'node.ts': 9,
  'node-hooks.ts': 9,
};

const packageOf = (file: string): string | null => /^(?:packages\/([^/]+)|(shaders))\//.exec(file)?.slice(1).find(Boolean) ?? null;

/** The layer key of a file of packages/core/src: its folder, or the file for errors/config, or (engine). */
function coreLayer(file: string): string | null {
  const m = /^packages\/core\/src\/(.+)$/.exec(file);
  if (m === null) return null;
  const [first, ...rest] = m[1].split('/');
  if (rest.length > 0) return first;
  return first in CORE_LAYERS ? first : '(engine)';
}

const isTest = (file: string) => /\.(test|check)\.ts$/.test(file);

describe('the import graph', () => {
  it('is read from the sources (sanity: the detector imports the forward pass, strings and comments are not imports)', () => {
    expect(graph.get('packages/core/src/detector.ts')).toContain('packages/core/src/model/forward-pass.ts');
    expect(graph.get('packages/core/src/kernels/nms.ts')).toContain('shaders/nms.wgsl'); // through @webglip/shaders' exports
    expect(importSpecifiers("// import x from './a.ts'\nconst s = \"import y from './b.ts'\";\nimport z from './c.ts';")).toEqual(['./c.ts']);
    expect(graph.size).toBeGreaterThan(200);
  });

  it('has no cycles', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const cyclic = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(importCycles(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('packages import no tools/, and their product code only the packages below them', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const pkg = packageOf(file);
      if (pkg === null) continue;
      // Tests and core's test support may read official checkpoints through the converter.
      const testSupport = isTest(file) || file.startsWith('packages/core/src/testing/');
      for (const target of targets) {
        const other = packageOf(target);
        if (target.startsWith('tools/') || target.startsWith('web/') || target.startsWith('e2e/')) wrong.push(`${file} → ${target}`);
        else if (!testSupport && other !== null && other !== pkg && !PACKAGE_DEPS[pkg]?.includes(other)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("core's folders import only their own layer and the layers below (tests and kernel checks aside)", () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = coreLayer(file);
      if (from === null || isTest(file)) continue;
      if (!(from in CORE_LAYERS)) wrong.push(`${relative('packages/core/src', file)}: folder "${from}" has no layer in CORE_LAYERS`);
      for (const target of targets) {
        const to = coreLayer(target);
        if (to === null || to === from) continue;
        if ((CORE_LAYERS[to] ?? Infinity) > CORE_LAYERS[from]) wrong.push(`${file} (${from}) → ${target} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
