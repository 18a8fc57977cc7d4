#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step). Run it as `pnpm webglip …` (the workspace bin, no
// package.json script: a failing script makes pnpm print `[ELIFECYCLE] Command failed` after the CLI's own
// message) or as `node packages/cli/bin/webglip.js …`; the exit code is the CLI's either way.
import process from 'node:process';
import { register } from 'tsx/esm/api';
// mesa's Vulkan device-select layer (when mesa-vulkan-drivers is installed) prints XDG_RUNTIME_DIR errors
// in a headless shell; the adapter is chosen by VK_ICD_FILENAMES anyway (runtime/node-gpu.ts).
process.env.NODEVICE_SELECT ??= '1';
register();
await import('@webglip/core/node-hooks'); // `?raw` shader imports and tokenizers-wasm's `.wasm` import, before anything links them
await import('../src/main.ts');
