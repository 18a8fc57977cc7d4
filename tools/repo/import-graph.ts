// The repository's module graph, read from the sources by TypeScript's scanner (static imports and
// re-exports, side-effect imports, dynamic `import('…')` with a literal path): relative paths and the
// workspace packages (`@webglip/<pkg>[/<path>]`, through each package.json's `exports`). Used by
// import-graph.test.ts to keep the layering honest: no cycles, and nothing in packages/ imports tools/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every `.ts` file under `dir` (node_modules and build output skipped), absolute paths. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The module specifiers a source imports (TypeScript's own scanner: strings and comments are not imports). */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName.split('?')[0]);
}

/** Resolves `@webglip/<pkg>[/<sub>]` (packages/<pkg>, or shaders/ for @webglip/shaders) through the package's `exports` map (`*` patterns included). */
function resolveWorkspace(root: string, specifier: string): string | null {
  const m = /^@webglip\/([^/]+)(\/.*)?$/.exec(specifier);
  if (m === null) return null;
  const pkgDir = m[1] === 'shaders' ? join(root, 'shaders') : join(root, 'packages', m[1]);
  const exports = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports?: Record<string, string> }).exports ?? {};
  const sub = `.${m[2] ?? ''}`;
  if (exports[sub] !== undefined) return resolve(pkgDir, exports[sub]);
  for (const [pattern, target] of Object.entries(exports)) {
    const [before, after] = pattern.split('*');
    if (after === undefined || !sub.startsWith(before) || !sub.endsWith(after) || sub.length < before.length + after.length) continue;
    return resolve(pkgDir, target.replace('*', sub.slice(before.length, sub.length - after.length)));
  }
  throw new Error(`${specifier}: not exported by packages/${m[1]}/package.json`);
}

/** Edges file → imported file, for the repository's own files only (paths relative to `root`). */
export function importGraph(root: string, files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : resolveWorkspace(root, specifier);
      if (target !== null && /\.(ts|wgsl)$/.test(target) && existsSync(target)) targets.push(relative(root, target));
    }
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** The graph's cycles: each strongly connected component with more than one file, or a self-import (Tarjan). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
