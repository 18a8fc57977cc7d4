// The engine's tfjs backend in a bundled page or worker: runtime/device.ts's `createBackend`
// (webgpu → wasm → cpu, with reasons), plus the bundler-resolved URLs of tfjs's WebAssembly binaries
// so the wasm fallback finds them under their hashed asset names.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createBackend } from '../runtime/device.ts';
import type { BackendName } from './protocol.ts';

export interface ChosenBackend {
  backend: BackendName;
  /** Why the better backends were skipped, for the user; absent on WebGPU. */
  fallbackReason?: string;
  /** GPU adapter (vendor · architecture) on WebGPU. */
  adapter?: string;
}

// tfjs wants all three; the threaded one is only used on cross-origin-isolated pages (COOP/COEP headers).
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

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
