// Minimal ZIP reader over a ByteSource: parses the (zip64-aware) central directory, then reads
// entries by range. torch.save writes STORED (uncompressed) entries, so tensor bytes are read in
// place without loading the archive; a DEFLATE entry (some re-packers) is inflated whole via fflate.
import { CheckpointFormatError } from '@webglip/core/engine';
import { inflateSync } from 'fflate';
import type { ByteSource } from './byte-source.ts';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** DEFLATE expands at most ~1032:1; a larger declared size is corrupt and must not be allocated. */
const MAX_DEFLATE_RATIO = 1032;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(v: DataView, at: number): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointFormatError('unsupported', 'zip: 64-bit size beyond 2^53');
  return Number(n);
}

export class ZipArchive {
  private readonly dataOffsets = new Map<string, number>();

  private constructor(private readonly source: ByteSource, readonly entries: Map<string, ZipEntry>) {}

  static async open(source: ByteSource): Promise<ZipArchive> {
    if (source.size === 0) throw new CheckpointFormatError('empty', 'the checkpoint file is empty (0 bytes)');
    const head = await source.read(0, Math.min(4, source.size));
    const isZip = head.length >= 4 && view(head).getUint32(0, true) === LOCAL_SIG;
    if (!isZip) {
      const legacy = head[0] === 0x80; // a pickle PROTO opcode: torch's pre-1.6 non-zip format
      throw new CheckpointFormatError('not-zip', legacy
        ? 'this is a legacy (pre-zip, torch < 1.6) checkpoint; re-save it with torch >= 1.6 (torch.save(torch.load(f), g)) or convert it to .safetensors'
        : 'the file is neither a PyTorch zip checkpoint nor a .safetensors file');
    }
    const tailLen = Math.min(source.size, 22 + MAX_COMMENT + 20);
    const tailStart = source.size - tailLen;
    const tail = await source.read(tailStart, tailLen);
    const tv = view(tail);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIG) { eocd = i; break; }
    }
    if (eocd < 0) throw new CheckpointFormatError('truncated', 'the zip has no end-of-central-directory record: the file is truncated (incomplete download?)');
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || tv.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) throw new CheckpointFormatError('truncated', 'zip64: end-of-central-directory locator missing');
      const recOffset = u64(tv, loc + 8);
      if (recOffset + 56 > source.size) throw new CheckpointFormatError('truncated', 'zip64: record lies beyond the end of the file');
      const rec = view(await source.read(recOffset, 56));
      if (rec.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new CheckpointFormatError('truncated', 'zip64: end-of-central-directory record missing');
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
    }
    if (cdOffset + cdSize > source.size) throw new CheckpointFormatError('truncated', 'the zip central directory lies beyond the end of the file: truncated');
    const cd = await source.read(cdOffset, cdSize);
    return new ZipArchive(source, parseCentralDirectory(cd, count, source.size));
  }

  /** The entry whose name ends with `suffix` (torch prefixes every name with the archive's folder). */
  find(suffix: string): ZipEntry | undefined {
    for (const e of this.entries.values()) if (e.name.endsWith(suffix)) return e;
    return undefined;
  }

  /** Reads `length` bytes at `offset` inside a STORED entry. */
  async readRange(entry: ZipEntry, offset: number, length: number): Promise<Uint8Array> {
    if (entry.method !== 0) throw new CheckpointFormatError('unsupported', `zip entry "${entry.name}" is compressed; tensor data must be stored (as torch.save writes it)`);
    if (offset < 0 || offset + length > entry.size) throw new CheckpointFormatError('truncated', `read beyond the end of zip entry "${entry.name}"`);
    const start = (await this.dataOffset(entry)) + offset;
    if (start + length > this.source.size) throw new CheckpointFormatError('truncated', `zip entry "${entry.name}" extends past the end of the file: truncated`);
    const bytes = await this.source.read(start, length);
    if (bytes.length !== length) throw new CheckpointFormatError('truncated', `short read in zip entry "${entry.name}"`);
    return bytes;
  }

  /** The whole (decompressed) entry. */
  async readAll(entry: ZipEntry): Promise<Uint8Array> {
    if (entry.method === 0) return this.readRange(entry, 0, entry.size);
    if (entry.method !== 8) throw new CheckpointFormatError('unsupported', `zip entry "${entry.name}" uses compression method ${entry.method}`);
    const start = await this.dataOffset(entry);
    if (start + entry.compressedSize > this.source.size) throw new CheckpointFormatError('truncated', `zip entry "${entry.name}" is truncated`);
    if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 64) {
      throw new CheckpointFormatError('truncated', `zip entry "${entry.name}" declares ${entry.size} bytes from ${entry.compressedSize} compressed, more than DEFLATE can produce: the zip is corrupt`);
    }
    try {
      return inflateSync(await this.source.read(start, entry.compressedSize), { out: new Uint8Array(entry.size) });
    } catch (cause) {
      throw new CheckpointFormatError('truncated', `zip entry "${entry.name}" does not inflate`, { cause });
    }
  }

  private async dataOffset(entry: ZipEntry): Promise<number> {
    const known = this.dataOffsets.get(entry.name);
    if (known !== undefined) return known;
    if (entry.localHeaderOffset + 30 > this.source.size) throw new CheckpointFormatError('truncated', `local header of "${entry.name}" is beyond the end of the file`);
    const lh = view(await this.source.read(entry.localHeaderOffset, 30));
    if (lh.getUint32(0, true) !== LOCAL_SIG) throw new CheckpointFormatError('truncated', `zip: bad local header for "${entry.name}"`);
    const offset = entry.localHeaderOffset + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
    this.dataOffsets.set(entry.name, offset);
    return offset;
  }
}

function parseCentralDirectory(cd: Uint8Array, count: number, fileSize: number): Map<string, ZipEntry> {
  const v = view(cd);
  const names = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== CENTRAL_SIG) throw new CheckpointFormatError('truncated', 'zip central directory is corrupt');
    const method = v.getUint16(p + 10, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new CheckpointFormatError('truncated', 'zip central directory is corrupt');
    const name = names.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information (id 1): the 0xffffffff fields, in this order.
    let x = p + 46 + nameLen;
    const extraEnd = x + extraLen;
    while (x + 4 <= extraEnd) {
      const id = v.getUint16(x, true);
      const len = v.getUint16(x + 2, true);
      if (x + 4 + len > extraEnd) throw new CheckpointFormatError('truncated', `zip: extra field of "${name}" is corrupt`);
      if (id === 1) {
        let q = x + 4;
        const field = (): number => {
          if (q + 8 > x + 4 + len) throw new CheckpointFormatError('truncated', `zip64: extra field of "${name}" is too short`);
          q += 8;
          return u64(v, q - 8);
        };
        if (size === 0xffffffff) size = field();
        if (compressedSize === 0xffffffff) compressedSize = field();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = field();
      }
      x += 4 + len;
    }
    if (localHeaderOffset >= fileSize) throw new CheckpointFormatError('truncated', `zip entry "${name}" starts beyond the end of the file`);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}
