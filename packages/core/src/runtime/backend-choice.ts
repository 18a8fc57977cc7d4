// Which tfjs backend to start from when the caller asks for 'auto': WebGPU on a real GPU, wasm where the
// only WebGPU adapter is a software one. A software adapter (SwiftShader, what Chromium and Dawn expose on
// a machine without a usable GPU; llvmpipe/lavapipe; Windows' WARP) runs WebGPU at CPU speed, and there
// tfjs's wasm backend (XNNPACK) runs this model 3–10× faster (tools/bench, README).
//
// Detection by adapter info, no timing probe: in Dawn-in-Node and in headless Chromium on SwiftShader both
// `info.isFallbackAdapter` (true) and `info.architecture` ('swiftshader') say so; the name match also
// covers browsers that leave `isFallbackAdapter` out or report a software driver as a normal adapter.
/** tfjs backends the engine can run on, best first. */
export type BackendKind = 'webgpu' | 'wasm' | 'cpu';

/** A backend by name, or 'auto': the fastest for this machine (chooseStartingBackend). */
export type BackendRequest = BackendKind | 'auto';

/** The fields of `GPUAdapterInfo` the choice reads (`isFallbackAdapter` is missing in older browsers). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render driver|software/i;

/** Why `info` is a software adapter, or null for a hardware GPU. */
export function softwareAdapterReason(info: AdapterDescription): string | null {
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' · ');
  if (info.isFallbackAdapter === true) return `the WebGPU adapter is a fallback (software) adapter (${name})`;
  if (SOFTWARE_ADAPTER.test(name)) return `the WebGPU adapter is a software renderer (${name})`;
  return null;
}

export interface StartingBackend {
  kind: BackendKind;
  /** Why this backend, in words for the user. */
  reason: string;
}

/** The backend to try first for `requested`: an explicit kind as given; for 'auto', by the adapter. */
export async function chooseStartingBackend(requested: BackendRequest, gpu: GPU | undefined): Promise<StartingBackend> {
  if (requested !== 'auto') return { kind: requested, reason: `${requested} was requested` };
  if (gpu === undefined) return { kind: 'wasm', reason: 'auto: this environment has no WebGPU, so WebAssembly' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) return { kind: 'wasm', reason: 'auto: WebGPU offers no adapter, so WebAssembly' };
  const software = softwareAdapterReason(adapter.info);
  if (software !== null) return { kind: 'wasm', reason: `auto: ${software}; WebAssembly is faster there` };
  const { vendor, architecture } = adapter.info;
  return { kind: 'webgpu', reason: `auto: a hardware GPU adapter (${[vendor, architecture].filter(Boolean).join(' · ') || 'unnamed'})` };
}
