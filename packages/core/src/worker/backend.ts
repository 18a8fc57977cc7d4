// Picks the tfjs backend the engine runs on: WebGPU when the browser offers an adapter, otherwise
// tfjs's WebAssembly backend (the .wasm files are bundled as assets), otherwise plain JS (`cpu`).
// The reason for a fallback is returned so the page can say why it is slow.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import type { BackendName } from './protocol.ts';

export const DEFAULT_BACKENDS: BackendName[] = ['webgpu', 'wasm', 'cpu'];

export interface ChosenBackend {
  backend: BackendName;
  fallbackReason?: string;
  adapter?: string;
}

// No threaded build: it needs cross-origin isolation (COOP/COEP headers) that a static host may not give.
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl });
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

async function webgpuUnavailable(): Promise<string | null> {
  if (typeof navigator === 'undefined' || !navigator.gpu) return 'this browser does not expose WebGPU (navigator.gpu is missing)';
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  return adapter ? null : 'WebGPU is present but no GPU adapter is available';
}

function adapterDescription(): string | undefined {
  const backend = tf.backend() as { adapterInfo?: { vendor?: string; architecture?: string } };
  const info = backend.adapterInfo;
  return info ? [info.vendor, info.architecture].filter(Boolean).join(' · ') : undefined;
}

/** Activates the first backend of `order` that initialises; throws if none does. */
export async function chooseBackend(order: BackendName[] = DEFAULT_BACKENDS): Promise<ChosenBackend> {
  const reasons: string[] = [];
  for (const name of order) {
    const unavailable = name === 'webgpu' ? await webgpuUnavailable() : null;
    if (unavailable === null && (await tf.setBackend(name).catch(() => false))) {
      await tf.ready();
      if (name === 'webgpu') return { backend: name, adapter: adapterDescription() };
      return { backend: name, fallbackReason: reasons.join('; ') || `${name} was requested` };
    }
    reasons.push(unavailable ?? `the ${name} backend failed to initialise`);
  }
  throw new Error(`no tfjs backend could be initialised: ${reasons.join('; ')}`);
}
