// Reads the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.
import { WeightsFormatError } from '../errors.ts';
import { f16ToF32 } from './half-float.ts';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8' | 'BOOL' | 'F64';

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section (after the header). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: Map<string, TensorEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section from the start of the file. */
  dataStart: number;
}

const BYTES_PER: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1,
};
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Parses and validates the header; `fileBytes` is the total file size when known. */
export function parseSafetensorsHeader(prefix: Uint8Array, fileBytes?: number): SafetensorsHeader {
  if (prefix.byteLength < 8) throw new WeightsFormatError('safetensors: file shorter than its 8-byte header length');
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES) throw new WeightsFormatError(`safetensors: header length ${headerLen} is implausible`);
  if (prefix.byteLength < 8 + headerLen) throw new WeightsFormatError('safetensors: truncated header');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, 8 + headerLen)));
  } catch {
    throw new WeightsFormatError('safetensors: header is not valid UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new WeightsFormatError('safetensors: header is not a JSON object');
  const entries = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  const dataStart = 8 + headerLen;
  const dataBytes = fileBytes === undefined ? Infinity : fileBytes - dataStart;
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string' || !(e.dtype in BYTES_PER)
      || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
      throw new WeightsFormatError(`safetensors: malformed entry for tensor "${name}"`);
    }
    const shape = e.shape as unknown[];
    if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new WeightsFormatError(`safetensors: bad shape for "${name}"`);
    const [begin, end] = e.data_offsets as [number, number];
    const dtype = e.dtype as SafetensorsDtype;
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * BYTES_PER[dtype];
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end - begin !== expected || end > dataBytes) {
      throw new WeightsFormatError(`safetensors: data range of "${name}" is inconsistent with its dtype/shape or the file size`);
    }
    entries.set(name, { name, dtype, shape: shape as number[], begin, end });
  }
  return { entries, metadata, dataStart };
}

export type TensorData = Float32Array | Int32Array | Uint8Array;

/** Decodes one tensor's bytes to a typed array: F16/BF16/F64 → Float32Array, I64 → Int32Array (range-checked). */
export function decodeTensor(entry: TensorEntry, bytes: Uint8Array): TensorData {
  const n = entry.shape.reduce((a, b) => a * b, 1);
  // Copy when misaligned for the typed-array view (Node Buffers' slice() is a view, hence Uint8Array.from).
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : Uint8Array.from(bytes);
  const buf = aligned.buffer;
  const off = aligned.byteOffset;
  switch (entry.dtype) {
    case 'F32': return new Float32Array(buf.slice(off, off + n * 4) as ArrayBuffer);
    case 'F64': return Float32Array.from(new Float64Array(buf as ArrayBuffer, off, n));
    case 'F16': return f16ToF32(new Uint16Array(buf as ArrayBuffer, off, n));
    case 'BF16': {
      const src = new Uint16Array(buf as ArrayBuffer, off, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] << 16;
      return new Float32Array(out.buffer);
    }
    case 'I64': {
      const src = new BigInt64Array(buf as ArrayBuffer, off, n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i];
        if (v > 2147483647n || v < -2147483648n) throw new WeightsFormatError(`safetensors: int64 value of "${entry.name}" does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32': return new Int32Array(buf.slice(off, off + n * 4) as ArrayBuffer);
    case 'U8':
    case 'BOOL': return Uint8Array.from(aligned.subarray(0, n));
  }
}

/** A whole safetensors file held in memory. */
export class SafetensorsFile {
  readonly header: SafetensorsHeader;
  constructor(private readonly bytes: Uint8Array) {
    this.header = parseSafetensorsHeader(bytes, bytes.byteLength);
  }
  names(): string[] {
    return [...this.header.entries.keys()];
  }
  has(name: string): boolean {
    return this.header.entries.has(name);
  }
  entry(name: string): TensorEntry {
    const e = this.header.entries.get(name);
    if (!e) throw new WeightsFormatError(`safetensors: no tensor named "${name}"`);
    return e;
  }
  get(name: string): { data: TensorData; shape: number[]; dtype: SafetensorsDtype } {
    const e = this.entry(name);
    const start = this.header.dataStart + e.begin;
    return { data: decodeTensor(e, this.bytes.subarray(start, this.header.dataStart + e.end)), shape: e.shape, dtype: e.dtype };
  }
}
