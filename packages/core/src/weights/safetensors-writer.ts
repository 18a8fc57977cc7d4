// Writes the safetensors format: u64-LE header length, JSON header, raw little-endian data. The header
// is padded with spaces so the data section starts 8-byte aligned (typed-array views need no copy).
import type { SafetensorsDtype } from './safetensors.ts';

export interface TensorLayout {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  byteLength: number;
}

export interface SafetensorsLayout {
  /** Bytes of the length prefix + header; tensor data follows. */
  headerBytes: Uint8Array;
  /** Offset of each tensor's data from the start of the file, in input order. */
  offsets: number[];
  totalBytes: number;
}

export function layoutSafetensors(tensors: TensorLayout[], metadata: Record<string, string> = {}): SafetensorsLayout {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let pos = 0;
  const dataOffsets: number[] = [];
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [pos, pos + t.byteLength] };
    dataOffsets.push(pos);
    pos += t.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const headerBytes = new Uint8Array(8 + jsonBytes.length);
  new DataView(headerBytes.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  headerBytes.set(jsonBytes, 8);
  return { headerBytes, offsets: dataOffsets.map((o) => headerBytes.length + o), totalBytes: headerBytes.length + pos };
}
