import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pilBilinearResize } from './pil-bilinear.ts';

// Pillow's own outputs (make-pil-resize-cases.py): SHA-256 of every output, and the bytes of the small ones.
interface PilCase {
  kind: 'noise' | 'ramp';
  seed: number;
  width: number;
  height: number;
  outWidth: number;
  outHeight: number;
  sha256: string;
  pixels?: string;
}
const FIXTURE = JSON.parse(readFileSync(new URL('./pil-resize-cases.json', import.meta.url), 'utf8')) as { pillow: string; cases: PilCase[] };

/** The source images of make-pil-resize-cases.py, `[height, width, channels]` RGB(A) bytes. */
function sourcePixels({ kind, seed, width, height }: PilCase, channels: 3 | 4): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  let state = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let v: number;
        if (kind === 'ramp') {
          v = (37 * x + 91 * y + 53 * c + ((7 * x * y) % 29)) % 256;
        } else {
          state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
          v = (state >> 16) & 255;
        }
        out[(y * width + x) * channels + c] = v;
      }
      if (channels === 4) out[(y * width + x) * 4 + 3] = (x * 13 + y) & 255; // alpha, which PIL's convert('RGB') drops
    }
  }
  return out;
}

function label(c: PilCase): string {
  return `${c.kind} ${c.width}×${c.height} → ${c.outWidth}×${c.outHeight}`;
}

describe(`PIL bilinear resize (bit-exact vs Pillow ${FIXTURE.pillow})`, () => {
  it('covers down- and up-scaling, both aspect directions, odd sizes and 1-pixel edges', () => {
    const { cases } = FIXTURE;
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.some((c) => c.outWidth < c.width && c.outHeight < c.height)).toBe(true);
    expect(cases.some((c) => c.outWidth > c.width && c.outHeight > c.height)).toBe(true);
    expect(cases.some((c) => c.width === 1 || c.height === 1)).toBe(true);
    expect(cases.some((c) => c.outWidth === 1 || c.outHeight === 1)).toBe(true);
  });

  it.each(FIXTURE.cases.map((c) => [label(c), c] as const))('%s equals Pillow on every pixel', (_, c) => {
    const out = pilBilinearResize({ data: sourcePixels(c, 3), width: c.width, height: c.height, channels: 3 }, c.outWidth, c.outHeight);
    expect(out.length).toBe(c.outWidth * c.outHeight * 3);
    if (c.pixels !== undefined) expect(Array.from(out)).toEqual(Array.from(Buffer.from(c.pixels, 'base64')));
    expect(createHash('sha256').update(out).digest('hex')).toBe(c.sha256);
  });

  it('reads RGBA as the RGB image (alpha dropped, as the official convert("RGB"))', () => {
    for (const c of FIXTURE.cases.filter((k) => k.pixels !== undefined).slice(0, 8)) {
      const out = pilBilinearResize({ data: sourcePixels(c, 4), width: c.width, height: c.height, channels: 4 }, c.outWidth, c.outHeight);
      expect(createHash('sha256').update(out).digest('hex'), label(c)).toBe(c.sha256);
    }
  });
});
