// A restricted pickle interpreter: it understands the opcodes torch.save emits (protocol 2, plus the
// few protocol 3/4 framing ones) and builds plain values. It never imports or calls anything: each
// GLOBAL is looked up in a caller-provided whitelist, and an unknown one is an UnsafePickleError.
import { CheckpointFormatError, UnsafePickleError } from '@webglip/core/engine';

/** A value produced by the interpreter. Tuples and lists are arrays; dicts are Maps. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | Map<PyValue, PyValue> | PyObject;

/** An opaque object made by a whitelisted global (a tensor, a storage type, …). */
export interface PyObject {
  readonly pyClass: string;
}

/** A whitelisted global: called by REDUCE with its argument tuple. */
export type PyCallable = (args: PyValue[]) => PyValue;

export interface UnpickleHooks {
  /** `module.name` → what REDUCE may call, or a plain value; undefined → rejected. */
  resolveGlobal(qualifiedName: string): PyCallable | PyObject | undefined;
  /** BINPERSID: the persistent id tuple → the value it stands for. */
  persistentLoad(pid: PyValue): PyValue;
}

const MARK = Symbol('mark');
class GlobalRef {
  constructor(readonly name: string, readonly target: PyCallable | PyObject) {}
}
type StackItem = PyValue | typeof MARK | GlobalRef;

function fail(message: string, reason: 'truncated' | 'unsupported' = 'unsupported'): never {
  throw new CheckpointFormatError(reason, `checkpoint pickle: ${message}`);
}

export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks): PyValue {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const stack: StackItem[] = [];
  const memo = new Map<number, StackItem>();
  let p = 0;

  const need = (n: number): number => {
    if (p + n > bytes.length) fail('ends in the middle of an opcode', 'truncated');
    const at = p;
    p += n;
    return at;
  };
  const pop = (): StackItem => (stack.length ? stack.pop()! : fail('stack underflow'));
  const popMark = (): StackItem[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('MARK expected');
    const items = stack.slice(i + 1);
    stack.length = i;
    return items;
  };
  const value = (item: StackItem): PyValue => {
    if (item === MARK) fail('unexpected MARK');
    if (item instanceof GlobalRef) {
      if (typeof item.target === 'function') fail(`global ${item.name} used as a value`);
      return item.target;
    }
    return item;
  };
  const setItems = (dict: StackItem, kv: StackItem[]): void => {
    if (!(dict instanceof Map)) fail('SETITEM(S) on a non-dict');
    for (let i = 0; i + 1 < kv.length; i += 2) dict.set(value(kv[i]), value(kv[i + 1]));
  };
  const appendTo = (list: StackItem, items: StackItem[]): void => {
    if (!Array.isArray(list)) fail('APPEND(S) on a non-list');
    for (const it of items) list.push(value(it));
  };
  const global = (module: string, name: string): GlobalRef => {
    const qualified = `${module}.${name}`;
    const target = hooks.resolveGlobal(qualified);
    if (target === undefined) throw new UnsafePickleError(qualified);
    return new GlobalRef(qualified, target);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail('unterminated text argument', 'truncated');
    const s = latin1.decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };

  for (;;) {
    const op = bytes[need(1)];
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME
      case 0x2e: { // STOP
        const result = pop();
        return value(result);
      }
      case 0x28: stack.push(MARK); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(stack.length ? stack[stack.length - 1] : fail('DUP on empty stack')); break;
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(bytes[need(1)]); break; // BININT1
      case 0x4d: stack.push(v.getUint16(need(2), true)); break; // BININT2
      case 0x4a: stack.push(v.getInt32(need(4), true)); break; // BININT
      case 0x8a: { // LONG1
        const n = bytes[need(1)];
        const at = need(n);
        let big = 0n;
        for (let i = n - 1; i >= 0; i--) big = (big << 8n) | BigInt(bytes[at + i]);
        if (n > 0 && bytes[at + n - 1] & 0x80) big -= 1n << BigInt(8 * n);
        stack.push(big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big);
        break;
      }
      case 0x47: stack.push(v.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: { const n = v.getUint32(need(4), true); stack.push(text.decode(bytes.subarray(need(n), p))); break; } // BINUNICODE
      case 0x8c: { const n = bytes[need(1)]; stack.push(text.decode(bytes.subarray(need(n), p))); break; } // SHORT_BINUNICODE
      case 0x8d: { const n = u53(v, need(8)); stack.push(text.decode(bytes.subarray(need(n), p))); break; } // BINUNICODE8
      case 0x54: { const n = v.getUint32(need(4), true); stack.push(latin1.decode(bytes.subarray(need(n), p))); break; } // BINSTRING
      case 0x55: { const n = bytes[need(1)]; stack.push(latin1.decode(bytes.subarray(need(n), p))); break; } // SHORT_BINSTRING
      case 0x42: { const n = v.getUint32(need(4), true); stack.push(bytes.slice(need(n), p)); break; } // BINBYTES
      case 0x43: { const n = bytes[need(1)]; stack.push(bytes.slice(need(n), p)); break; } // SHORT_BINBYTES
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x85: stack.push([value(pop())]); break; // TUPLE1
      case 0x86: { const b = value(pop()); stack.push([value(pop()), b]); break; } // TUPLE2
      case 0x87: { const c = value(pop()); const b = value(pop()); stack.push([value(pop()), b, c]); break; } // TUPLE3
      case 0x74: stack.push(popMark().map(value)); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark().map(value)); break; // LIST
      case 0x61: { const item = pop(); appendTo(stack[stack.length - 1], [item]); break; } // APPEND
      case 0x65: { const items = popMark(); appendTo(stack[stack.length - 1], items); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const kv = popMark(); const d = new Map<PyValue, PyValue>(); setItems(d, kv); stack.push(d); break; } // DICT
      case 0x73: { const val = pop(); const key = pop(); setItems(stack[stack.length - 1], [key, val]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(stack[stack.length - 1], kv); break; } // SETITEMS
      case 0x71: memo.set(bytes[need(1)], stack[stack.length - 1]); break; // BINPUT
      case 0x72: memo.set(v.getUint32(need(4), true), stack[stack.length - 1]); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack[stack.length - 1]); break; // MEMOIZE
      case 0x68: stack.push(memoGet(memo, bytes[need(1)])); break; // BINGET
      case 0x6a: stack.push(memoGet(memo, v.getUint32(need(4), true))); break; // LONG_BINGET
      case 0x63: { const module = line(); stack.push(global(module, line())); break; } // GLOBAL
      case 0x93: { const name = value(pop()); const module = value(pop()); stack.push(global(String(module), String(name))); break; } // STACK_GLOBAL
      case 0x52: { // REDUCE
        const args = value(pop());
        const fn = pop();
        if (!(fn instanceof GlobalRef) || typeof fn.target !== 'function') fail('REDUCE on something that is not a whitelisted callable');
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push(fn.target(args));
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(value(pop()))); break; // BINPERSID
      case 0x62: { // BUILD: state of an OrderedDict (`_metadata`) or a tensor; kept out of the values
        pop();
        if (!stack.length) fail('BUILD on empty stack');
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16)} at byte ${p - 1} is not one torch.save produces`);
    }
  }
}

function memoGet(memo: Map<number, StackItem>, key: number): StackItem {
  const item = memo.get(key);
  if (item === undefined) fail(`memo key ${key} is not set`);
  return item;
}

function u53(v: DataView, at: number): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail('string length beyond 2^53');
  return Number(n);
}
