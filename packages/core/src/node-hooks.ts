// @webglip/core/node-hooks: Node's loader hooks for what Vite does in the browser build: `?raw` shader
// imports (runtime/node-wgsl.ts) and tokenizers-wasm's `.wasm` ES-module import (text/node-wasm-loader.ts).
// Import it before a dynamic import of anything that links those modules (the CLI's bin, the bench).
import './runtime/node-wgsl.ts';
import './text/node-wasm-loader.ts';
