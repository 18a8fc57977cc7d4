// Debian's Chromium, never a downloaded one, and the flags that give it WebGPU on SwiftShader.
export const CHROMIUM = '/usr/bin/chromium';

export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** Headless, quiet, no background traffic. */
export const QUIET_FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Longest wait for one model load or detection in a spec (SwiftShader is CPU-speed WebGPU). */
export const INFERENCE_TIMEOUT = 240_000;
