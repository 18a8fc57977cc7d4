// Web Worker entry: runs the engine off the page's main thread. Messages follow protocol.ts.
// Start it with `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })` (GlipClient does).
import type { EngineFactory } from './engine-host.ts';
import { EngineHost } from './engine-host.ts';
import type { ModelFiles } from '../weights/model-files.ts';
import { chooseBackend } from './backend.ts';
import { errorPayload, type ModelFileBytes, type Request, type Response, type ResultOf } from './protocol.ts';

/** In-memory folder files (sent by the page) as the weights loader reads them. */
function bytesModelFiles(files: ModelFileBytes): ModelFiles {
  return {
    async read(file) {
      const bytes = files[file];
      if (!bytes) throw new Error(`the model folder has no ${file}`);
      return new Uint8Array(bytes);
    },
  };
}

const factory: EngineFactory = {
  chooseBackend,
  async load(model, onProgress) {
    // Imported on first use, not statically: the tokenizer's wasm makes the detector's module graph
    // use top-level await, and a module worker drops messages that arrive before its top level has
    // finished, so `onmessage` must be registered before that graph is evaluated.
    const { GlipDetector } = await import('../detector.ts');
    return GlipDetector.load(typeof model === 'string' ? model : bytesModelFiles(model), { onProgress });
  },
};

const host = new EngineHost(factory);
const scope = self as unknown as DedicatedWorkerGlobalScope;

// The host runs requests one at a time, in order.
scope.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  const post = (response: Response): void => scope.postMessage(response);
  try {
    const value = await host.handle(request, (hostEvent) => post({ id: request.id, ...hostEvent }));
    // A tuned offset is transferred, not copied.
    const transfer = request.type === 'tune' ? [(value as ResultOf['tune']).offset.buffer as ArrayBuffer] : [];
    scope.postMessage({ id: request.id, type: 'result', value } satisfies Response, transfer);
  } catch (e) {
    post({ id: request.id, type: 'error', error: errorPayload(e) });
  }
};
