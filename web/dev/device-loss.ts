// Browser side of e2e/device-loss.spec.ts: a GlipClient whose worker is the real engine worker plus
// the fault injector of device-loss-worker.ts. `deviceLoss(model)` loads the model, detects once,
// has the worker destroy its GPUDevice in the middle of the next detect, and detects once more.
import { DeviceLostError, GlipError } from '@webglip/core/client';
import { CACHE_NAME } from '@webglip/core/client';
import { GlipClient } from '@webglip/core/client';
import type { Detection, EngineInfo } from '@webglip/core/client';
import type { FaultReport, FaultRequest } from './device-loss-worker.ts';

export interface DeviceLossReport {
  info: EngineInfo;
  /** URLs of the Cache API entries holding weight shards, after the first load. */
  cachedShards: string[];
  before: Detection[];
  /** How the detect during which the device was destroyed ended. */
  lost: { resolved: true } | { name: string; code?: string; message: string; isDeviceLostError: boolean; isGlipError: boolean };
  /** Devices the worker had created when the injector destroyed one, and after the recovery. */
  devicesAtLoss: number;
  devicesAfter: number;
  after: Detection[];
}

/** Deterministic RGBA noise. */
function noise(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  let s = 2654435761;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : s >>> 24;
  }
  return new ImageData(data, width, height);
}

async function deviceLoss(model: string): Promise<DeviceLossReport> {
  const faults = new BroadcastChannel('webglip-faults');
  const ask = <T extends FaultReport['type']>(request: FaultRequest, answer: T): Promise<Extract<FaultReport, { type: T }>> => {
    const reply = new Promise<Extract<FaultReport, { type: T }>>((resolve) => {
      const listener = (event: MessageEvent<FaultReport>): void => {
        if (event.data.type !== answer) return;
        faults.removeEventListener('message', listener);
        resolve(event.data as Extract<FaultReport, { type: T }>);
      };
      faults.addEventListener('message', listener);
    });
    faults.postMessage(request);
    return reply;
  };
  const client = new GlipClient(() => new Worker(new URL('./device-loss-worker.ts', import.meta.url), { type: 'module', name: 'webglip-engine-faults' }));
  try {
    const info = await client.load(model, { backend: 'webgpu' }); // device loss is WebGPU's; 'auto' would pick wasm on SwiftShader
    const cachedShards = (await (await caches.open(CACHE_NAME)).keys()).map((r) => r.url);
    const image = await client.encodeImage(noise(48, 40));
    const prompt = 'red circle. blue square';
    const before = await client.detect(image, prompt, { threshold: 0.05 });

    await ask({ type: 'destroy-after-submits', submits: 3 }, 'armed');
    const destroyed = new Promise<number>((resolve) => {
      faults.addEventListener('message', (event: MessageEvent<FaultReport>) => {
        if (event.data.type === 'destroyed') resolve(event.data.devices);
      });
    });
    const lost = await client.detect(image, 'green triangle', { threshold: 0.05 }).then(
      () => ({ resolved: true }) as const,
      (e: Error & { code?: string }) => ({
        name: e.name, code: e.code, message: e.message, isDeviceLostError: e instanceof DeviceLostError, isGlipError: e instanceof GlipError,
      }),
    );
    const devicesAtLoss = await destroyed;
    const after = await client.detect(image, prompt, { threshold: 0.05 });
    const devicesAfter = (await ask({ type: 'count-devices' }, 'devices')).devices;
    return { info, cachedShards, before, lost, devicesAtLoss, devicesAfter, after };
  } finally {
    faults.close();
    await client.dispose();
  }
}

declare global {
  interface Window {
    __faultChecks?: { deviceLoss: typeof deviceLoss };
  }
}

window.__faultChecks = { deviceLoss };
