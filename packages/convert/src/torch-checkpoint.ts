// Reads a PyTorch zip checkpoint (`<root>/data.pkl`, `<root>/data/<key>`, `<root>/version`) without
// running it: the pickle is interpreted with a whitelist of the globals torch uses for tensors, and each
// tensor's bytes are read from its storage on demand (strided views made contiguous).
import { CheckpointFormatError } from '@webglip/core/engine';
import type { ByteSource } from './byte-source.ts';
import { bytesSource } from './byte-source.ts';
import type { PyCallable, PyObject, PyValue } from './pickle.ts';
import { unpickle } from './pickle.ts';
import type { StoredDtype } from './stored-tensor.ts';
import { BYTES_PER_ELEMENT } from './stored-tensor.ts';
import type { StoredTensor } from './stored-tensor.ts';
import { ZipArchive } from './zip-archive.ts';

const STORAGE_DTYPES: Record<string, StoredDtype> = {
  'torch.FloatStorage': 'F32', 'torch.DoubleStorage': 'F64', 'torch.HalfStorage': 'F16', 'torch.BFloat16Storage': 'BF16',
  'torch.LongStorage': 'I64', 'torch.IntStorage': 'I32', 'torch.ShortStorage': 'I16', 'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8', 'torch.BoolStorage': 'BOOL',
};

/** Largest tensor accepted (2 GiB: beyond what a browser can hold in one buffer; GLIP-L's largest is ~120 MB). */
const MAX_TENSOR_BYTES = 2 ** 31;

interface StorageType extends PyObject { readonly pyClass: 'storage-type'; readonly dtype: StoredDtype }
interface Storage extends PyObject { readonly pyClass: 'storage'; readonly dtype: StoredDtype; readonly key: string; readonly numel: number }
interface TorchTensor extends PyObject {
  readonly pyClass: 'tensor';
  readonly storage: Storage;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

function isObject<T extends PyObject>(v: PyValue, cls: T['pyClass']): v is T {
  return typeof v === 'object' && v !== null && 'pyClass' in v && v.pyClass === cls;
}

function ints(v: PyValue, what: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new CheckpointFormatError('unsupported', `checkpoint pickle: ${what} is not a tuple of non-negative ints`);
  }
  return v as number[];
}

const rebuildTensor: PyCallable = (args) => {
  const [storage, offset, size, stride] = args;
  if (!isObject<Storage>(storage, 'storage') || typeof offset !== 'number') throw new CheckpointFormatError('unsupported', 'checkpoint pickle: malformed _rebuild_tensor_v2 call');
  const tensor: TorchTensor = { pyClass: 'tensor', storage, offset, shape: ints(size, 'tensor size'), stride: ints(stride, 'tensor stride') };
  if (tensor.stride.length !== tensor.shape.length) throw new CheckpointFormatError('unsupported', 'checkpoint pickle: tensor size and stride differ in length');
  return tensor;
};

/**
 * The globals torch.save uses for tensors and state dicts, and nothing else. `collections.Counter`
 * (a plain dict; lr schedulers keep their milestones in one) is allowed so that whole training
 * checkpoints open; it builds a Map like OrderedDict.
 */
function resolveGlobal(name: string): PyCallable | PyObject | undefined {
  const dtype = STORAGE_DTYPES[name];
  if (dtype) return { pyClass: 'storage-type', dtype } as StorageType;
  switch (name) {
    case 'collections.OrderedDict': return () => new Map();
    case 'collections.Counter': return (args) => new Map(args[0] instanceof Map ? args[0] : []);
    case 'torch._utils._rebuild_tensor_v2': return rebuildTensor;
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state': return (args) => args[0];
    default: return undefined;
  }
}

function persistentLoad(pid: PyValue): Storage {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new CheckpointFormatError('unsupported', 'checkpoint pickle: unknown persistent id (expected a torch storage)');
  const [, type, key, , numel] = pid;
  if (!isObject<StorageType>(type, 'storage-type') || typeof key !== 'string' || typeof numel !== 'number') {
    throw new CheckpointFormatError('unsupported', 'checkpoint pickle: malformed storage reference');
  }
  return { pyClass: 'storage', dtype: type.dtype, key, numel };
}

/** A checkpoint's state dict plus a description of everything else the file holds. */
export interface Checkpoint {
  /** Tensor name (as stored, e.g. with `module.`) → lazily read tensor, in file order. */
  tensors: Map<string, StoredTensor>;
  /** Human-readable notes about the other top-level entries (`model_ema: 746 tensors`, `iteration: 90000`, …). */
  extras: string[];
}

/** Opens a `.pth` checkpoint and picks its state dict (`model`, else `state_dict`, else the top-level dict). */
export async function readTorchCheckpoint(input: ByteSource | Uint8Array): Promise<Checkpoint> {
  const source = input instanceof Uint8Array ? bytesSource(input) : input;
  const zip = await ZipArchive.open(source);
  const pkl = zip.find('/data.pkl') ?? zip.find('data.pkl');
  if (!pkl) throw new CheckpointFormatError('not-zip', 'the zip has no data.pkl: it is not a PyTorch checkpoint');
  const root = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const byteorder = zip.entries.get(`${root}byteorder`);
  if (byteorder && new TextDecoder().decode(await zip.readAll(byteorder)).trim() === 'big') {
    throw new CheckpointFormatError('unsupported', 'big-endian checkpoints are not supported');
  }
  const top = unpickle(await zip.readAll(pkl), { resolveGlobal, persistentLoad });
  if (!(top instanceof Map)) throw new CheckpointFormatError('unsupported', 'the checkpoint does not hold a dict');
  let stateKey: string | null = null;
  for (const k of ['model', 'state_dict']) if (top.get(k) instanceof Map) { stateKey = k; break; }
  const state = stateKey ? (top.get(stateKey) as Map<PyValue, PyValue>) : top;
  const tensors = new Map<string, StoredTensor>();
  for (const [name, value] of state) {
    if (typeof name !== 'string' || !isObject<TorchTensor>(value, 'tensor')) {
      if (stateKey) throw new CheckpointFormatError('unsupported', `state dict entry ${String(name)} is not a tensor`);
      continue;
    }
    tensors.set(name, storedTensor(zip, root, name, value));
  }
  if (tensors.size === 0) throw new CheckpointFormatError('unsupported', 'the checkpoint holds no tensors (expected {"model": state_dict} or a state dict)');
  const extras = stateKey ? [...top].filter(([k]) => k !== stateKey).map(([k, v]) => `${String(k)}: ${describe(v)}`) : [];
  return { tensors, extras };
}

function describe(v: PyValue): string {
  if (v instanceof Map) {
    let n = 0;
    for (const x of v.values()) if (isObject<TorchTensor>(x, 'tensor')) n++;
    return n ? `dict with ${n} tensors` : `dict with ${v.size} entries`;
  }
  if (Array.isArray(v)) return `sequence of ${v.length}`;
  if (v === null || typeof v !== 'object') return String(v);
  return v instanceof Uint8Array ? `${v.length} bytes` : v.pyClass;
}

function storedTensor(zip: ZipArchive, root: string, name: string, t: TorchTensor): StoredTensor {
  const dtype = t.storage.dtype;
  const size = BYTES_PER_ELEMENT[dtype];
  const numel = t.shape.reduce((a, b) => a * b, 1);
  const entryName = `${root}data/${t.storage.key}`;
  return {
    name, dtype, shape: t.shape, byteLength: numel * size,
    async read(): Promise<Uint8Array> {
      if (numel === 0) return new Uint8Array(0);
      // A stride-0 (expanded) view can declare far more elements than its storage holds: never allocate that.
      if (numel * size > MAX_TENSOR_BYTES) throw new CheckpointFormatError('unsupported', `tensor "${name}" declares ${numel * size} bytes (shape [${t.shape.join(', ')}]), more than the ${MAX_TENSOR_BYTES} a tensor may have: the checkpoint is corrupt`);
      const entry = zip.entries.get(entryName);
      if (!entry) throw new CheckpointFormatError('truncated', `storage "${t.storage.key}" of tensor "${name}" is missing from the zip`);
      // Elements reachable from the view: offset + Σ (dim−1)·stride.
      const last = t.offset + t.shape.reduce((acc, d, i) => acc + (d - 1) * t.stride[i], 0);
      if ((last + 1) * size > entry.size) throw new CheckpointFormatError('truncated', `tensor "${name}" reaches beyond its storage`);
      if (isContiguous(t.shape, t.stride)) return zip.readRange(entry, t.offset * size, numel * size);
      const span = await zip.readRange(entry, t.offset * size, (last - t.offset + 1) * size);
      return gather(span, t.shape, t.stride, size);
    },
  };
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Copies a strided view (element offsets relative to `span`) into row-major order. */
function gather(span: Uint8Array, shape: number[], stride: number[], size: number): Uint8Array {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(numel * size);
  const index = new Array<number>(shape.length).fill(0);
  let src = 0;
  for (let i = 0; i < numel; i++) {
    out.set(span.subarray(src * size, src * size + size), i * size);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      src += stride[d];
      if (index[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
