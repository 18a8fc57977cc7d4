// IEEE 754 half floats ↔ float32, for the f16 weight shards (read), the converter and tuned-prompt
// files (written).

/** IEEE half → float, exact (every f16 is representable in f32). */
export function f16ToF32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half, round to nearest even; finite values beyond ±65504 saturate (counted). */
export function f32ToF16(src: Float32Array): { half: Uint16Array; saturated: number } {
  const half = new Uint16Array(src.length);
  let saturated = 0;
  for (let i = 0; i < src.length; i++) {
    f32[0] = src[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    let h: number;
    if (exp === 0xff) {
      h = sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
    } else if (exp > 142) {
      h = sign | 0x7bff; // |x| ≥ 65536: saturate to the largest half
      saturated++;
    } else if (exp >= 113) { // normal half
      h = ((exp - 112) << 10) | (mant >>> 13);
      const rest = mant & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
      if (h >= 0x7c00) { h = 0x7bff; saturated++; }
      h |= sign;
    } else if (exp >= 102) { // subnormal half
      const m = mant | 0x800000;
      const shift = 126 - exp; // 14..24
      h = m >>> shift;
      const rest = m & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rest > halfway || (rest === halfway && (h & 1))) h++;
      h |= sign;
    } else {
      h = sign; // underflow to ±0
    }
    half[i] = h;
  }
  return { half, saturated };
}
