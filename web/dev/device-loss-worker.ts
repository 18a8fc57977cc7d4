// Test-only engine worker for dev/robustness.html (e2e/device-loss.spec.ts): the real engine worker,
// plus a fault injector reached over the BroadcastChannel `webglip-faults`. Armed with
// `{ type: 'destroy-after-submits', submits: n }`, it calls `destroy()` on the engine's GPUDevice
// right after the n-th GPU queue submission from then on — in the middle of whatever the engine is
// computing — and answers `{ type: 'destroyed', devices }`. `{ type: 'count-devices' }` is answered
// with `{ type: 'devices', devices }`: how many GPUDevices the worker has created so far.
import '@webglip/core/worker';

export type FaultRequest = { type: 'destroy-after-submits'; submits: number } | { type: 'count-devices' };
export type FaultReport = { type: 'armed' } | { type: 'destroyed'; devices: number } | { type: 'devices'; devices: number };

const channel = new BroadcastChannel('webglip-faults');
const devices: GPUDevice[] = [];
let remaining: number | null = null;

const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor): Promise<GPUDevice> {
  const device = await requestDevice.call(this, descriptor);
  devices.push(device);
  return device;
};

const submit = GPUQueue.prototype.submit;
GPUQueue.prototype.submit = function (this: GPUQueue, commandBuffers: Iterable<GPUCommandBuffer>): undefined {
  submit.call(this, commandBuffers);
  if (remaining === null || --remaining > 0) return;
  remaining = null;
  devices.find((d) => d.queue === this)?.destroy();
  channel.postMessage({ type: 'destroyed', devices: devices.length } satisfies FaultReport);
};

channel.onmessage = (event: MessageEvent<FaultRequest>) => {
  const request = event.data;
  if (request.type === 'count-devices') return channel.postMessage({ type: 'devices', devices: devices.length } satisfies FaultReport);
  remaining = request.submits;
  channel.postMessage({ type: 'armed' } satisfies FaultReport);
};
