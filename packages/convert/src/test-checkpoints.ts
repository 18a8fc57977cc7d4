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

/** A torch-style zip: `archive/data.pkl`, `archive/data/<key>`, `archive/version`, all STORED. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {
    'archive/data.pkl': [pickle, { level: 0 }],
    'archive/version': [new TextEncoder().encode('3\n'), { level: 0 }],
  };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = [v, { level: 0 }];
  return zipSync(files);
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
