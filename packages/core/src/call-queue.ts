// Runs async calls one at a time, in the order they were made; each caller gets its own result or
// error, and a failed call does not stop the ones after it. The engine is not re-entrant: one call's
// image could evict the cached features another is about to use, and a `load` replaces the engine.
export class CallQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `call` after every call queued before it has settled. */
  run<T>(call: () => Promise<T>): Promise<T> {
    const result = this.tail.then(call);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
