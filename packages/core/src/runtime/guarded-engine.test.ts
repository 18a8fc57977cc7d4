// GuardedEngine with stand-in engines and devices (fast, no GPU): queueing, dispose during a call,
// GPU errors from error scopes and `uncapturederror`, device loss with a hung task, device ownership.
// The same faults on a real Dawn device are in guarded-engine.webgpu.test.ts.
import { describe, expect, it } from 'vitest';
import { DeviceLostError, DisposedError, GpuError } from '../errors.ts';
import type { EngineSession } from './guarded-engine.ts';
import { GuardedEngine } from './guarded-engine.ts';

class FakeEngine {
  disposed = 0;
  running = 0;
  maxRunning = 0;
  constructor(readonly id: number) {}
  async work<T>(value: T, ms = 5): Promise<T> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((r) => setTimeout(r, ms));
    this.running--;
    return value;
  }
  dispose(): void {
    this.disposed++;
  }
}

/** Enough of a GPUDevice for the guard: error scopes, `lost`, `uncapturederror`, destroy. */
class FakeDevice extends EventTarget {
  scopes: GPUErrorFilter[] = [];
  /** Error to report from the scope of this filter at the next pop. */
  pending = new Map<GPUErrorFilter, GPUError>();
  destroyed = false;
  private loseWith!: (info: GPUDeviceLostInfo) => void;
  readonly lost = new Promise<GPUDeviceLostInfo>((resolve) => (this.loseWith = resolve));
  pushErrorScope(filter: GPUErrorFilter): void {
    this.scopes.push(filter);
  }
  async popErrorScope(): Promise<GPUError | null> {
    const filter = this.scopes.pop()!;
    const error = this.pending.get(filter) ?? null;
    this.pending.delete(filter);
    return error;
  }
  lose(reason: GPUDeviceLostReason = 'unknown'): void {
    this.loseWith({ reason, message: 'simulated loss' } as GPUDeviceLostInfo);
  }
  destroy(): void {
    this.destroyed = true;
    this.lose('destroyed');
  }
  asDevice(): GPUDevice {
    return this as unknown as GPUDevice;
  }
}

class FakeGpuError extends Error {}

function guard(devices: FakeDevice[] = [], ownsDevice = true): { guarded: GuardedEngine<FakeEngine>; engines: FakeEngine[] } {
  const engines: FakeEngine[] = [];
  const guarded = new GuardedEngine<FakeEngine>(async (): Promise<EngineSession<FakeEngine>> => {
    const engine = new FakeEngine(engines.length);
    engines.push(engine);
    const device = devices[engines.length - 1];
    return { engine, ...(device && { device: device.asDevice(), ownsDevice }) };
  });
  return { guarded, engines };
}

describe('GuardedEngine: queueing', () => {
  it('runs concurrent calls one at a time, in order, each with its own result', async () => {
    const { guarded, engines } = guard();
    const order: number[] = [];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => guarded.run(async (e) => {
      order.push(i);
      return e.work(i * 10, (i * 7) % 5);
    })));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(engines).toHaveLength(1);
    expect(engines[0].maxRunning).toBe(1);
  });

  it('a failing call rejects alone; the next calls run', async () => {
    const { guarded } = guard();
    const failing = guarded.run(async () => Promise.reject(new Error('bad input')));
    const next = guarded.run((e) => e.work('ok'));
    await expect(failing).rejects.toThrow('bad input');
    await expect(next).resolves.toBe('ok');
  });
});

describe('GuardedEngine: dispose', () => {
  it('during a call: the call finishes, queued calls reject with DisposedError, then the engine is freed once', async () => {
    const { guarded, engines } = guard();
    const running = guarded.run((e) => e.work('first', 30));
    const queued = guarded.run((e) => e.work('second'));
    await new Promise((r) => setTimeout(r, 5));
    const disposed = guarded.dispose();
    expect(engines[0].disposed).toBe(0); // not while the call runs
    await expect(running).resolves.toBe('first');
    await expect(queued).rejects.toBeInstanceOf(DisposedError);
    await disposed;
    expect(engines[0].disposed).toBe(1);
    await expect(guarded.run((e) => e.work('later'))).rejects.toBeInstanceOf(DisposedError);
    await guarded.dispose();
    expect(engines[0].disposed).toBe(1);
  });

  it('destroys a device it created, never one it was given', async () => {
    const own = new FakeDevice();
    const mine = guard([own], true);
    await mine.guarded.run((e) => e.work(1));
    await mine.guarded.dispose();
    expect(own.destroyed).toBe(true);

    const given = new FakeDevice();
    const app = guard([given], false);
    await app.guarded.run((e) => e.work(1));
    await app.guarded.dispose();
    expect(given.destroyed).toBe(false);
    expect(app.engines[0].disposed).toBe(1);
  });
});

describe('GuardedEngine: GPU errors are reported, not swallowed', () => {
  it('an out-of-memory error in the call\'s scope → GpuError(out-of-memory), with advice', async () => {
    const device = new FakeDevice();
    const { guarded } = guard([device]);
    const error = await guarded.run(async () => {
      device.pending.set('out-of-memory', new FakeGpuError('allocation of 4 GiB failed') as unknown as GPUError);
      return 'looked fine';
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('out-of-memory');
    expect((error as GpuError).message).toMatch(/smaller image/);
    expect(device.scopes).toEqual([]); // every pushed scope popped
    await expect(guarded.run(async () => 'next')).resolves.toBe('next');
  });

  it('a validation error → GpuError(validation)', async () => {
    const device = new FakeDevice();
    const { guarded } = guard([device]);
    device.pending.set('validation', new FakeGpuError('buffer size exceeds maxBufferSize') as unknown as GPUError);
    await expect(guarded.run(async () => 1)).rejects.toMatchObject({ kind: 'validation' });
  });

  it('an uncapturederror between calls fails the next call', async () => {
    const device = new FakeDevice();
    const { guarded } = guard([device]);
    await guarded.run(async () => 1);
    const event = Object.assign(new Event('uncapturederror'), { error: Object.assign(new (class GPUOutOfMemoryError extends Error {})('late OOM')) });
    device.dispatchEvent(event);
    await expect(guarded.run(async () => 2)).rejects.toMatchObject({ kind: 'out-of-memory' });
    await expect(guarded.run(async () => 3)).resolves.toBe(3);
  });
});

describe('GuardedEngine: device loss', () => {
  it('a call that hangs on a lost device rejects with DeviceLostError; the next call starts a new session', async () => {
    const first = new FakeDevice();
    const second = new FakeDevice();
    const { guarded, engines } = guard([first, second]);
    await guarded.run((e) => e.work(0));
    const hung = guarded.run(() => new Promise<never>(() => undefined)); // e.g. a read-back that never completes
    setTimeout(() => first.lose('unknown'), 10);
    await expect(hung).rejects.toBeInstanceOf(DeviceLostError);
    expect(engines[0].disposed).toBe(1);
    expect(first.destroyed).toBe(true); // the session's own device: destroyed (already lost)
    await expect(guarded.run((e) => e.work(e.id))).resolves.toBe(1);
    expect(engines).toHaveLength(2);
    await guarded.dispose();
    expect(second.destroyed).toBe(true);
  });

  it('a device destroyed by someone else mid-call counts as lost', async () => {
    const device = new FakeDevice();
    const { guarded } = guard([device, new FakeDevice()], false);
    const call = guarded.run(async () => {
      device.destroy();
      throw new Error('mapAsync failed: device destroyed'); // what tfjs reports
    });
    await expect(call).rejects.toBeInstanceOf(DeviceLostError);
    await expect(guarded.run(async () => 'recovered')).resolves.toBe('recovered');
  });
});
