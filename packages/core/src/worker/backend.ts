// The engine's tfjs backend in a bundled page or worker: runtime/device.ts's `createBackend`
// (webgpu → wasm → cpu, with reasons), plus the bundler-resolved URLs of tfjs's WebAssembly binaries
// so the wasm fallback finds them under their hashed asset names.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import { createBackend } from '../runtime/device.ts';
import type { BackendName } from './protocol.ts';

export interface ChosenBackend {
  backend: BackendName;
  /** Why the better backends were skipped, for the user; absent on WebGPU. */
  fallbackReason?: string;
  /** GPU adapter (vendor · architecture) on WebGPU. */
  adapter?: string;
}

// No threaded build: it needs cross-origin isolation (COOP/COEP headers) that a static host may not give.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl });
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/** Activates `requested` (default webgpu) or the next backend that works. */
export async function chooseBackend(requested: BackendName = 'webgpu'): Promise<ChosenBackend> {
  const selection = await createBackend(requested);
  const info = selection.webgpu?.capabilities.adapterInfo;
  return {
    backend: selection.kind,
    ...(selection.fallbackReasons.length > 0 && { fallbackReason: selection.fallbackReasons.join('; ') }),
    ...(info && { adapter: [info.vendor, info.architecture].filter(Boolean).join(' · ') }),
  };
}
