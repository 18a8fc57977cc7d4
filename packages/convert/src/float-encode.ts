// Float re-encoding for the output dtype: any float storage (F64/F32/F16/BF16) → F32 (exact except F64);
// F32 → F16 (round-to-nearest-even) is core's f32ToF16.
import { f16ToF32 } from '@webglip/core/engine';
import type { StoredDtype } from './stored-tensor.ts';

/** Little-endian bytes of a float tensor as float32 values. */
export function floatsAsF32(dtype: StoredDtype, bytes: Uint8Array): Float32Array {
  const buf = bytes.slice().buffer;
  switch (dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return Float32Array.from(new Float64Array(buf));
    case 'F16': return f16ToF32(new Uint16Array(buf));
    case 'BF16': {
      const src = new Uint16Array(buf);
      const out = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
      return new Float32Array(out.buffer);
    }
    default: throw new Error(`not a float dtype: ${dtype}`);
  }
}
