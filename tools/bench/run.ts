// `pnpm bench`: registers the Node loaders (Dawn as navigator.gpu, `?raw` shaders, tokenizer wasm),
// then runs the benchmark (bench.ts). Flags: `pnpm bench --help`.
await import('@webglip/core/node-gpu');
await import('@webglip/core/node-hooks'); // `?raw` shader imports and tokenizers-wasm's `.wasm` import, before anything links them
const { main } = await import('./bench.ts');
process.exitCode = await main(process.argv.slice(2));
export {};
