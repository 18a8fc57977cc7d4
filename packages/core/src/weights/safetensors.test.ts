import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.ts';
import { caseTensors } from '../testing/fixtures.ts';
import { SafetensorsFile } from './safetensors.ts';

describe('safetensors reader', () => {
  it('reads the official fixture tensors', () => {
    const f = caseTensors();
    const ids = f.get('prompt/tokens.input_ids');
    expect(ids.shape).toEqual([1, 256]);
    expect(Array.from(ids.data.slice(0, 3))).toEqual([101, 2417, 4418]);
  });
  it('rejects truncated files with a typed error', () => {
    expect(() => new SafetensorsFile(new Uint8Array([1, 2, 3]))).toThrow(WeightsFormatError);
    const header = new TextEncoder().encode(JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    expect(() => new SafetensorsFile(bytes)).toThrow(/inconsistent/);
  });
});
