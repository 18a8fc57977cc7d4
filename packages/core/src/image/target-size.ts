// Size of the network input before padding: the official `Resize.get_size` rule (shorter side to
// `minSize`, longer side floored, optionally capped by `maxSize` through a smaller shorter side).

export interface ImageSize {
  height: number;
  width: number;
}

/**
 * `maxSize = null` reproduces GLIPDemo (torchvision `T.Resize(min)`: no cap); a number reproduces the
 * official eval transform `Resize(MIN_SIZE_TEST, MAX_SIZE_TEST)`.
 */
export function resizedSize({ height: h, width: w }: ImageSize, minSize: number, maxSize: number | null): ImageSize {
  let size = minSize;
  const short = Math.min(w, h);
  const long = Math.max(w, h);
  if (maxSize !== null && (long / short) * size > maxSize) size = roundHalfEven((maxSize * short) / long);
  if (size < 1) {
    // A strip longer than 2·maxSize per pixel of width: the official rule gives a 0-pixel side (and a
    // crash). Keep one pixel and the long side at the cap.
    const capped = Math.min(Math.floor(long / short), maxSize ?? long);
    return w < h ? { height: capped, width: 1 } : { height: 1, width: capped };
  }
  if (short === size) return { height: h, width: w };
  // Python's int(size * long / short): the product first, then a float division, then truncation.
  const newLong = Math.floor((size * long) / short);
  return w < h ? { height: newLong, width: size } : { height: size, width: newLong };
}

/** Size after zero-padding bottom/right to a multiple of `divisibility`. */
export function paddedSize({ height, width }: ImageSize, divisibility: number): ImageSize {
  return { height: Math.ceil(height / divisibility) * divisibility, width: Math.ceil(width / divisibility) * divisibility };
}

/** Python 3 `round` (ties to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
