// Runs engine calls so that faults end in typed errors and never in a hang, a leak or a dead engine:
// - calls are queued and run one at a time (the engine is not re-entrant), each gets its own result;
// - every call runs inside WebGPU error scopes: out-of-memory and rejected commands become GpuError
//   (errors outside any call, from `uncapturederror`, fail the next call) instead of being swallowed;
// - a lost device (driver reset, `device.destroy()`, …) rejects the running call with DeviceLostError
//   at once, even if the work would never finish; the engine is freed, and the next call starts a new
//   session (new device, weights reloaded — from the weights cache when there is one);
// - `dispose()` during a call lets it finish, rejects the calls still queued with DisposedError, then
//   frees the engine, and destroys the device only if the session created it.
import * as tf from '@tensorflow/tfjs';
import { CallQueue } from '../call-queue.ts';
import { webGpuBackendRunsOn } from './tfjs-internals.ts';
import { DeviceLostError, DisposedError, GpuError } from '../errors.ts';

/** A loaded engine and the device it computes on. */
export interface EngineSession<E> {
  engine: E;
  /** The WebGPU device the engine's tensors live on; absent on cpu/wasm. */
  device?: GPUDevice;
  /** True when the session created `device` (then dispose destroys it); false for a device the app gave. */
  ownsDevice?: boolean;
}

export interface Disposable {
  dispose(): void;
}

/** Error-scope filters checked around each call, innermost first when popped. */
const SCOPES: GPUErrorFilter[] = ['internal', 'validation', 'out-of-memory'];

/** How long a failed call waits for a device loss to be reported before blaming the task. */
const LOSS_GRACE_MS = 100;

interface LiveSession<E> extends EngineSession<E> {
  /** Settles (never rejects) with the loss, if the device is lost. */
  lost: Promise<DeviceLostError>;
  lostError: DeviceLostError | null;
  /** A GPU error raised outside any call, reported by the next one. */
  uncaptured: GpuError | null;
  stopWatching(): void;
}

export class GuardedEngine<E extends Disposable> {
  private session: LiveSession<E> | null = null;
  private readonly queue = new CallQueue();
  private disposing: Promise<void> | null = null;

  /** `start` activates a backend and loads the engine; it is called again after a device loss. */
  constructor(private readonly start: () => Promise<EngineSession<E>>) {}

  /** Queues `task`; it runs after every earlier call settled, on a live engine. */
  run<T>(task: (engine: E) => Promise<T>): Promise<T> {
    if (this.disposing) return Promise.reject(new DisposedError());
    return this.queue.run(() => this.runNow(task));
  }

  /** Waits for the running call, rejects queued ones, frees the engine and any device it created. */
  dispose(): Promise<void> {
    this.disposing ??= this.queue.run(async () => this.endSession(true));
    return this.disposing;
  }

  private async runNow<T>(task: (engine: E) => Promise<T>): Promise<T> {
    if (this.disposing) throw new DisposedError();
    const session = this.session ?? (this.session = await this.open());
    const { device } = session;
    if (device) for (const filter of SCOPES) device.pushErrorScope(filter);
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      // A lost device can leave the task waiting forever (a read-back that never completes): race it.
      const lost = session.lost.then((e) => Promise.reject(e));
      lost.catch(() => undefined); // a loss after this call settled is the next call's business
      outcome = { ok: true, value: await Promise.race([task(session.engine), lost]) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // A failure caused by a lost device can arrive before the device reports the loss: give it a moment.
    if (device && !outcome.ok) await Promise.race([session.lost, new Promise((r) => setTimeout(r, LOSS_GRACE_MS))]);
    const gpuError = device && !session.lostError ? await popScopes(device) : null;
    if (session.lostError) {
      // Whatever the task threw (a failed mapAsync, a tfjs error), the cause is the lost device.
      this.endSession(false);
      throw session.lostError;
    }
    const uncaptured = session.uncaptured;
    session.uncaptured = null;
    if (gpuError ?? uncaptured) throw gpuError ?? uncaptured;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private async open(): Promise<LiveSession<E>> {
    const started = await this.start();
    const live: LiveSession<E> = {
      ...started, lost: new Promise(() => undefined), lostError: null, uncaptured: null, stopWatching: () => undefined,
    };
    const device = started.device;
    if (device) {
      let deliberate = false;
      live.lost = device.lost.then((info) => {
        const error = new DeviceLostError(info.reason, info.message);
        if (!deliberate) live.lostError = error;
        return error;
      });
      const onError = (event: Event): void => {
        live.uncaptured = asGpuError((event as GPUUncapturedErrorEvent).error);
      };
      device.addEventListener('uncapturederror', onError);
      live.stopWatching = () => {
        deliberate = true;
        device.removeEventListener('uncapturederror', onError);
      };
    }
    return live;
  }

  /** Frees the session's engine; on dispose also destroys a device the session created. */
  private endSession(disposing: boolean): void {
    const session = this.session;
    this.session = null;
    if (!session) return;
    session.stopWatching();
    try {
      session.engine.dispose();
    } catch (e) {
      if (!session.lostError) throw e; // tensors on a lost device may refuse to be freed; they died with it
    }
    if (session.device && (session.lostError || (disposing && session.ownsDevice))) {
      if (webGpuBackendRunsOn(session.device)) tf.removeBackend('webgpu');
      if (session.ownsDevice) session.device.destroy();
    }
  }
}

async function popScopes(device: GPUDevice): Promise<GpuError | null> {
  let first: GpuError | null = null;
  for (let i = 0; i < SCOPES.length; i++) {
    const error = await device.popErrorScope();
    first ??= error ? asGpuError(error, SCOPES[SCOPES.length - 1 - i]) : null;
  }
  return first;
}

function asGpuError(error: GPUError, filter?: GPUErrorFilter): GpuError {
  const name = error.constructor?.name ?? '';
  const kind = filter ?? (name.includes('OutOfMemory') ? 'out-of-memory' : name.includes('Internal') ? 'internal' : 'validation');
  return new GpuError(kind, error.message);
}

