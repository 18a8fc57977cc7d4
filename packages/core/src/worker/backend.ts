// The engine's tfjs backend in a bundled page or worker: runtime/device.ts's `createBackend`
// ('auto' by default; webgpu → wasm → cpu, with reasons), plus the bundler-resolved URLs of tfjs's WebAssembly binaries
// so the wasm fallback finds them under their hashed asset names.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createBackend } from '../runtime/device.ts';
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
// Threads stay off in the bundled engine: tfjs starts its pthread workers from the source text of its
// threaded module (`Function.toString`), which the bundler's minifier has made refer to names outside
// that function, so every pthread worker dies ("e is not defined", tfjs 4.22 + vite 8) and with it the
// engine, on any cross-origin-isolated page. Single-threaded SIMD wasm works everywhere.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
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
