import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16 } from './half-float.ts';

describe('half floats', () => {
  it('decodes half floats exactly', () => {
    expect(Array.from(f16ToF32(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff])))).toEqual([1, -2, 2 ** -24, 65504]);
  });

  it('round-trips every finite half exactly', () => {
    const halves = new Uint16Array(65536).map((_, i) => i);
    const finite = halves.filter((h) => (h & 0x7c00) !== 0x7c00);
    const { half, saturated } = f32ToF16(f16ToF32(finite));
    expect(saturated).toBe(0);
    expect(Array.from(half)).toEqual(Array.from(finite));
  });

  it('rounds to nearest even, handles subnormals, saturates beyond ±65504', () => {
    const ulp1 = 2 ** -10; // half spacing just above 1
    const values = [1 + ulp1 / 2, 1 + 1.5 * ulp1, 1 + ulp1 / 2 + 1e-7, 2 ** -25, 2 ** -25 * 1.5, 2 ** -24 * 1.5, 2 ** -24 * 2.5, 2 ** -26, 65520, 1e6, -1e6, Infinity, -0];
    const { half, saturated } = f32ToF16(Float32Array.from(values));
    expect(Array.from(half).map((h) => h.toString(16))).toEqual(
      ['3c00', '3c02', '3c01', '0', '1', '2', '2', '0', '7bff', '7bff', 'fbff', '7c00', '8000'],
    );
    expect(saturated).toBe(3);
  });
});
