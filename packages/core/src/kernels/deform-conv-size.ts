// The output size of GLIP's modulated deformable conv (3×3, padding 1, stride 1 or 2), shared by the
// WGSL kernel, its plain-tfjs reference, the CPU-side loops and their checks.

/** `[Hout, Wout]` = floor((side − 1) / stride) + 1 each (= floor((side + 2·1 − 3) / stride) + 1). */
export function deformConvOutputSize(h: number, w: number, stride: number): [number, number] {
  return [Math.floor((h - 1) / stride) + 1, Math.floor((w - 1) / stride) + 1];
}
