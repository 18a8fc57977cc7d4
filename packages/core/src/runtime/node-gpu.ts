// Node only: exposes Dawn (the `webgpu` package) as `navigator.gpu`, so tfjs-backend-webgpu and the
// engine run in Node exactly as in a browser. Import this module before anything that touches WebGPU.
// Without a GPU, Chromium's SwiftShader Vulkan driver serves as the adapter.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

if (process.env.VK_ICD_FILENAMES === undefined && process.env.WEBGLIP_SYSTEM_VULKAN === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}
Object.assign(globalThis, globals);
const gpu = create([]);
if (globalThis.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
} else if (!('gpu' in globalThis.navigator) || globalThis.navigator.gpu === undefined) {
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
}
