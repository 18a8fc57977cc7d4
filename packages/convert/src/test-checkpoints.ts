// Test helper: writes small checkpoints in torch.save's zip + pickle (protocol 2) layout, including
// strided views and hand-made hostile pickles, without needing Python.
import { zipSync } from 'fflate';

export interface FakeTensor {
  name: string;
  storageKey: string;
  storageType?: string; // e.g. 'FloatStorage'
  offset?: number;
  shape: number[];
  stride?: number[];
}

class PickleWriter {
  private readonly out: number[] = [];
  private readonly enc = new TextEncoder();
  op(...b: number[]): this { this.out.push(...b); return this; }
  str(s: string): this {
    const b = this.enc.encode(s);
    this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24);
    for (const x of b) this.out.push(x);
    return this;
  }
  int(n: number): this { return this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff); }
  global(module: string, name: string): this {
    this.op(0x63);
    for (const x of this.enc.encode(`${module}\n${name}\n`)) this.out.push(x);
    return this;
  }
  tuple(items: () => void): this { this.op(0x28); items(); return this.op(0x74); }
  bytes(): Uint8Array { return Uint8Array.from(this.out); }
}

function contiguousStride(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** data.pkl for `{"model": {name: tensor}, ...extras}` the way torch.save writes it. */
export function statePickle(tensors: FakeTensor[], storageNumel: Record<string, number>, extras: Record<string, number> = {}): Uint8Array {
  const w = new PickleWriter().op(0x80, 2, 0x7d).str('model').op(0x7d, 0x28);
  for (const t of tensors) {
    w.str(t.name).global('torch._utils', '_rebuild_tensor_v2').tuple(() => {
      w.tuple(() => w.str('storage').global('torch', t.storageType ?? 'FloatStorage').str(t.storageKey).str('cpu').int(storageNumel[t.storageKey]));
      w.op(0x51).int(t.offset ?? 0);
      w.tuple(() => t.shape.forEach((d) => w.int(d)));
      w.tuple(() => (t.stride ?? contiguousStride(t.shape)).forEach((d) => w.int(d)));
      w.op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52);
    }).op(0x52);
  }
  w.op(0x75, 0x73);
  for (const [k, v] of Object.entries(extras)) w.str(k).int(v).op(0x73);
  return w.op(0x2e).bytes();
}

/** A pickle calling `module.name('echo pwned')`: what a malicious checkpoint looks like. */
export function hostilePickle(module: string, name: string): Uint8Array {
  const w = new PickleWriter().op(0x80, 2).global(module, name);
  w.str('echo pwned').op(0x85, 0x52);
  return w.op(0x2e).bytes();
}

/**
 * A torch-style zip: `archive/data.pkl`, `archive/data/<key>`, `archive/version`, all STORED. With
 * `zip64`, every size and offset lives in zip64 fields (as for checkpoints beyond 4 GiB).
 */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>, options: { zip64?: boolean } = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pickle, 'archive/version': new TextEncoder().encode('3\n') };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = v;
  if (!options.zip64) return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 0 }]])));
  return zip64Stored(files);
}

function zip64Stored(files: Record<string, Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    offset += b.length;
  };
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = enc.encode(name);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 45, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const localOffset = offset;
    push(local);
    push(data);
    const cd = new Uint8Array(46 + nameBytes.length + 28);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(6, 45, true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, 28, true);
    cv.setUint32(42, 0xffffffff, true);
    cd.set(nameBytes, 46);
    const x = 46 + nameBytes.length;
    cv.setUint16(x, 1, true);
    cv.setUint16(x + 2, 24, true);
    cv.setBigUint64(x + 4, BigInt(data.length), true);
    cv.setBigUint64(x + 12, BigInt(data.length), true);
    cv.setBigUint64(x + 20, BigInt(localOffset), true);
    central.push(cd);
  }
  const cdOffset = offset;
  for (const c of central) push(c);
  const cdSize = offset - cdOffset;
  const tail = new Uint8Array(56 + 20 + 22);
  const tv = new DataView(tail.buffer);
  tv.setUint32(0, 0x06064b50, true);
  tv.setBigUint64(4, 44n, true);
  tv.setBigUint64(24, BigInt(central.length), true);
  tv.setBigUint64(32, BigInt(central.length), true);
  tv.setBigUint64(40, BigInt(cdSize), true);
  tv.setBigUint64(48, BigInt(cdOffset), true);
  tv.setUint32(56, 0x07064b50, true);
  tv.setBigUint64(64, BigInt(offset), true);
  tv.setUint32(68 + 4, 1, true);
  tv.setUint32(76, 0x06054b50, true);
  tv.setUint16(76 + 8, 0xffff, true);
  tv.setUint16(76 + 10, 0xffff, true);
  tv.setUint32(76 + 12, 0xffffffff, true);
  tv.setUint32(76 + 16, 0xffffffff, true);
  parts.push(tail);
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
