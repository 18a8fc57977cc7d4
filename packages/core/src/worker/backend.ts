// The engine's tfjs backend in a bundled page or worker: runtime/device.ts's `createBackend`
// ('auto' by default; webgpu → wasm → cpu, with reasons), plus the bundler-resolved URLs of tfjs's WebAssembly binaries
// so the wasm fallback finds them under their hashed asset names.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import threadedSimdFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedSimdSource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';
import { createBackend } from '../runtime/device.ts';
import { setThreadedFactorySource } from '../runtime/wasm-threads.ts';
import type { BackendName, BackendRequest } from './protocol.ts';

export interface ChosenBackend {
  backend: BackendName;
  /** Why this backend runs, for the user. */
  backendReason: string;
  /** Why the better backends were skipped, for the user; absent on WebGPU. */
  fallbackReason?: string;
  /** GPU adapter (vendor · architecture) on WebGPU. */
  adapter?: string;
}

// tfjs wants all three; the threaded one is only used on cross-origin-isolated pages (COOP/COEP headers).
// tfjs starts its pthread workers from `'var WasmBackendModuleThreadedSimd = ' + factory.toString()` (tfjs
// 4.22, dist/backend_wasm.js). In the bundle that text is the minified function, which refers to names
// outside itself, so every pthread worker would die ("e is not defined"). The factory is the one object
// tfjs imports (this same module), so its text is given back as the package ships it: the IIFE that
// defines the factory, self-contained.
setThreadedFactorySource(threadedSimdFactory, threadedSimdSource);
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** Activates `requested` (default 'auto') or the next backend that works. */
export async function chooseBackend(requested: BackendRequest = 'auto'): Promise<ChosenBackend> {
  const selection = await createBackend(requested);
  const info = selection.webgpu?.capabilities.adapterInfo;
  return {
    backend: selection.kind,
    backendReason: selection.reason,
    ...(selection.fallbackReasons.length > 0 && { fallbackReason: selection.fallbackReasons.join('; ') }),
    ...(info && { adapter: [info.vendor, info.architecture].filter(Boolean).join(' · ') }),
  };
}
