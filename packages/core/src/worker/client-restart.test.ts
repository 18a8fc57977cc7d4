// GlipClient when its engine worker dies: calls in flight fail with WorkerCrashedError, a new worker
// is started and given the model URL again, later calls work; a worker that keeps dying is given up.
import { describe, expect, it } from 'vitest';
import { DisposedError, WorkerCrashedError } from '../errors.ts';
import { GlipClient } from './client.ts';
import type { Request, Response } from './protocol.ts';

/** A stand-in Worker: answers `load` and `counters` at once, holds `encodePrompt` until it crashes. */
class FakeWorker {
  onmessage: ((event: MessageEvent<Response>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly received: Request[] = [];
  terminated = false;
  constructor(readonly crashOnLoad = false) {}
  postMessage(request: Request): void {
    this.received.push(request);
    if (request.type === 'encodePrompt') return; // in flight until crash()
    queueMicrotask(() => {
      if (this.terminated) return;
      if (request.type === 'load' && this.crashOnLoad) return this.crash('out of memory');
      const value = request.type === 'load' ? { backend: 'cpu', loadMs: 1 } : request.type === 'counters' ? { backboneRuns: 0, textRuns: 0, detectRuns: 0 } : null;
      this.onmessage?.({ data: { id: request.id, type: 'result', value } } as MessageEvent<Response>);
    });
  }
  crash(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }
  terminate(): void {
    this.terminated = true;
  }
}

function client(make: (n: number) => FakeWorker = () => new FakeWorker()): { client: GlipClient; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const c = new GlipClient(() => {
    const w = make(workers.length);
    workers.push(w);
    return w as unknown as Worker;
  });
  return { client: c, workers };
}

describe('GlipClient worker restart', () => {
  it('a dead worker fails the calls in flight, is replaced, and the model URL is loaded again', async () => {
    const { client: c, workers } = client();
    await c.load('https://models.example/glip-nano/');
    const inFlight = c.encodePrompt('cat');
    workers[0].crash('RangeError: Array buffer allocation failed');
    const error = await inFlight.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).restarted).toBe(true);
    expect(workers[0].terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(workers[1].received[0]).toMatchObject({ type: 'load', model: 'https://models.example/glip-nano/' });
    await expect(c.counters()).resolves.toEqual({ backboneRuns: 0, textRuns: 0, detectRuns: 0 });
    expect(workers[1].received.map((r) => r.type)).toEqual(['load', 'counters']);
  });

  it('a worker that keeps dying is given up after a few restarts', async () => {
    const { client: c, workers } = client((n) => new FakeWorker(n > 0)); // every restarted worker dies loading
    await c.load('https://models.example/glip-nano/');
    const inFlight = c.encodePrompt('cat');
    workers[0].crash('killed');
    await expect(inFlight).rejects.toBeInstanceOf(WorkerCrashedError);
    await new Promise((r) => setTimeout(r, 10));
    expect(workers.length).toBe(4); // the first + 3 restarts
    const later = await c.counters().catch((e: unknown) => e); // fails at once, does not wait forever
    expect(later).toBeInstanceOf(WorkerCrashedError);
    expect((later as WorkerCrashedError).restarted).toBe(false);
    expect(workers.length).toBe(4);
  });

  it('a single given worker is not restarted; dispose rejects what is left with DisposedError', async () => {
    const worker = new FakeWorker();
    const c = new GlipClient(worker as unknown as Worker);
    await c.load('https://models.example/glip-nano/');
    const first = c.encodePrompt('cat');
    worker.crash('gone');
    await expect(first).rejects.toMatchObject({ restarted: false });
    await expect(c.counters()).rejects.toBeInstanceOf(WorkerCrashedError);
    const second = new FakeWorker();
    const d = new GlipClient(second as unknown as Worker);
    const pending = d.encodePrompt('dog');
    await d.dispose();
    await expect(pending).rejects.toBeInstanceOf(DisposedError);
  });
});
