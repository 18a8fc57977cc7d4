// A tensor inside a checkpoint file, described by its header and read on demand, so conversion
// holds at most one shard in memory.

export type StoredDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const BYTES_PER_ELEMENT: Record<StoredDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export function isFloatDtype(d: StoredDtype): boolean {
  return d === 'F64' || d === 'F32' || d === 'F16' || d === 'BF16';
}

export interface StoredTensor {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  /** Bytes of the contiguous little-endian data. */
  byteLength: number;
  /** The contiguous little-endian data (row-major). */
  read(): Promise<Uint8Array>;
}
