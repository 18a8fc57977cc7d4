// Where verified shards are kept between page loads, addressed by their sha256 (so a re-converted
// model only re-downloads the shards that changed). The Cache API in browsers; none in Node.

export interface ShardCache {
  get(sha256: string): Promise<Uint8Array | undefined>;
  has(sha256: string): Promise<boolean>;
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  delete(sha256: string): Promise<void>;
}

export const CACHE_NAME = 'webglip-weights-v1';

function cacheUrl(sha256: string): string {
  return `https://webglip.invalid/weights/sha256/${sha256}`;
}

/** The Cache API store, or null where there is none (Node, insecure contexts). */
export function cacheApiShardCache(cacheName: string = CACHE_NAME): ShardCache | null {
  if (typeof caches === 'undefined') return null;
  const open = (): Promise<Cache> => caches.open(cacheName);
  return {
    async get(sha256) {
      const hit = await (await open()).match(cacheUrl(sha256));
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async has(sha256) {
      return (await (await open()).match(cacheUrl(sha256))) !== undefined;
    },
    async put(sha256, bytes) {
      await (await open()).put(cacheUrl(sha256), new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }));
    },
    async delete(sha256) {
      await (await open()).delete(cacheUrl(sha256));
    },
  };
}

/** An in-memory cache (tests, or an app that manages its own storage). */
export function memoryShardCache(): ShardCache & { entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  return {
    entries,
    get: async (sha256) => entries.get(sha256),
    has: async (sha256) => entries.has(sha256),
    put: async (sha256, bytes) => void entries.set(sha256, bytes),
    delete: async (sha256) => void entries.delete(sha256),
  };
}

/** Removes every cached shard (the Cache API store). */
export async function clearCache(cacheName: string = CACHE_NAME): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(cacheName);
}
