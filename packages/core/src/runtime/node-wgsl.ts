// Node only: lets `import code from '@webglip/shaders/<name>.wgsl?raw'` work outside Vite (tsx, the CLI,
// tools), as it does in Vite and vitest: the module's default export is the file's text.
// Must run before any module importing a shader is linked, so entry points load it first:
//   `await import('@webglip/core/node-wgsl')` before a dynamic import of the rest, or
//   `tsx --import ./packages/core/src/runtime/node-wgsl.ts script.ts`.
import { register } from 'node:module';

const hooks = `
import { readFile } from 'node:fs/promises';
export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.pathname.endsWith('.wgsl') && u.search === '?raw') {
    const text = await readFile(u, 'utf8');
    return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
  }
  return nextLoad(url, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
