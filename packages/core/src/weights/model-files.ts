// The files of a model folder, wherever they live: over HTTP (streamed, with byte progress) or, in
// Node, on disk (`model-folder-node.ts`).

export interface ModelFiles {
  /** Bytes of one file of the folder; `onBytes(loaded)` reports progress within it. */
  read(file: string, signal?: AbortSignal, onBytes?: (loaded: number) => void): Promise<Uint8Array>;
}

/** Files under a base URL (`https://…/models/glip-t/`), fetched with `fetchImpl`. */
export function urlModelFiles(baseUrl: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): ModelFiles {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    async read(file, signal, onBytes) {
      const res = await fetchImpl(new URL(file, new URL(base, globalThis.location?.href ?? 'http://localhost/')).href, { signal });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      if (!res.body) return new Uint8Array(await res.arrayBuffer());
      const total = Number(res.headers.get('content-length') ?? 0);
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        onBytes?.(loaded);
      }
      const out = new Uint8Array(total === loaded ? total : loaded);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    },
  };
}
