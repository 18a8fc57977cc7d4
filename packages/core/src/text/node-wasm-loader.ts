// Node only: WebAssembly ESM integration (`import * as wasm from './x_bg.wasm'`, what wasm-bindgen's
// bundler output and so tokenizers-wasm do) for plain Node: tsx, the CLI, tools. Vite and vitest do
// this themselves. Node 20 has it only behind --experimental-wasm-modules; this hook does the same:
// a `.wasm` module becomes JS that instantiates it with its imports and re-exports its exports.
// Must run before the tokenizer module is linked, so entry points load it first:
//   `await import('@webglip/core/text/node-wasm-loader.ts')` before a dynamic import of the rest.
import { register } from 'node:module';

const hooks = `
import { readFile } from 'node:fs/promises';
export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol !== 'file:' || !u.pathname.endsWith('.wasm') || u.search !== '') return nextLoad(url, context);
  const module = await WebAssembly.compile(await readFile(u));
  const from = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
  const source = [
    "import { readFile } from 'node:fs/promises';",
    ...from.map((m, k) => 'import * as imports' + k + ' from ' + JSON.stringify(m) + ';'),
    'const importObject = {' + from.map((m, k) => JSON.stringify(m) + ': imports' + k).join(', ') + '};',
    'const { instance } = await WebAssembly.instantiate(await readFile(new URL(import.meta.url)), importObject);',
    ...WebAssembly.Module.exports(module).map((e) => 'export const ' + e.name + ' = instance.exports[' + JSON.stringify(e.name) + '];'),
  ].join('\\n');
  return { format: 'module', source, shortCircuit: true };
}`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
