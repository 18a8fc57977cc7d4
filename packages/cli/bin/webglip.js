#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';
register();
await import('@webglip/core/runtime/node-wgsl.ts'); // `?raw` shader imports, before anything links them
await import('@webglip/core/text/node-wasm-loader.ts'); // tokenizers-wasm's `.wasm` ES-module import
await import('../src/main.ts');
