// `pnpm bench:few-shot`: registers the Node loaders (`?raw` shaders, tokenizer wasm), then runs the
// few-shot prompt-tuning benchmark (few-shot.ts). Flags: `pnpm bench:few-shot --help`.
await import('@webglip/core/node-hooks');
const { main } = await import('./few-shot.ts');
process.exitCode = await main(process.argv.slice(2));
export {};
