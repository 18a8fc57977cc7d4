// Random-access bytes: the converter reads a checkpoint tensor by tensor through this interface,
// so a 900 MB file never has to be in memory (Node: a file handle; browser: `File.slice()`).

export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset` (a typed error upstream if the source is shorter). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.byteLength)),
  };
}

/** A source over a Blob or a user-picked File (reads only the requested slice). */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}
