// The CPU-side deformable conv (deform-conv-cpu.ts) against the plain-tfjs reference on tfjs's cpu and
// wasm backends: values (stride 1 and 2, no bias, offsets far outside the image and on the −1 < p < H
// borders, glip-nano's 64 channels) and the gradients prompt tuning takes through it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend } from '../runtime/device.ts';
import { maxAbsDiff } from '../testing/backends.ts';
import { randomTensor, seededRandom } from './check-util.ts';
import { modulatedDeformConv3x3, modulatedDeformConv3x3Reference, tapMajorFilter } from './deform-conv.ts';
import { setFusedKernels } from './fused-switch.ts';

const CASES = [
  { h: 5, w: 7, cin: 3, cout: 5, stride: 1, bias: true, spread: 2.5 },
  { h: 9, w: 6, cin: 17, cout: 70, stride: 2, bias: false, spread: 2.5 },
  { h: 11, w: 13, cin: 16, cout: 8, stride: 1, bias: true, spread: 12 },
  { h: 6, w: 5, cin: 5, cout: 6, stride: 1, bias: true, spread: 0 }, // half-pixel offsets: the borders
  { h: 20, w: 26, cin: 64, cout: 64, stride: 1, bias: true, spread: 2.5 },
] as const;

type Inputs = [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D | null];

function inputs(c: (typeof CASES)[number], random: () => number): Inputs {
  const hOut = Math.floor((c.h - 1) / c.stride) + 1;
  const wOut = Math.floor((c.w - 1) / c.stride) + 1;
  const n = hOut * wOut * 18;
  const offsets = Float32Array.from({ length: n }, () => (c.spread === 0 ? (Math.floor(random() * 7) - 3) * 0.5 : (2 * random() - 1) * c.spread));
  return [
    randomTensor([c.h, c.w, c.cin], random) as tf.Tensor3D,
    tf.tensor3d(offsets, [hOut, wOut, 18]),
    randomTensor([hOut, wOut, 9], random, 0.5, 0.5) as tf.Tensor3D,
    tapMajorFilter(randomTensor([c.cout, c.cin, 3, 3], random, 1 / Math.sqrt(9 * c.cin)) as tf.Tensor4D),
    c.bias ? (randomTensor([c.cout], random, 0.5) as tf.Tensor1D) : null,
  ];
}

describe.each(['cpu', 'wasm'] as const)('CPU-side deformable conv on %s', (backend) => {
  afterAll(() => setFusedKernels(true));

  it.each(CASES.map((c) => [`${c.h}×${c.w}×${c.cin} → ${c.cout}, stride ${c.stride}, bias ${c.bias}, offsets ±${c.spread}`, c] as const))('matches the reference: %s', async (_, c) => {
    expect((await createBackend(backend)).kind).toBe(backend);
    const [x, offset, mask, filter, bias] = inputs(c, seededRandom(c.h * 31 + c.cin));
    setFusedKernels(true);
    const fast = modulatedDeformConv3x3(x, offset, mask, filter, bias, c.stride);
    setFusedKernels(false);
    const ref = modulatedDeformConv3x3(x, offset, mask, filter, bias, c.stride); // the switch off: the reference composite
    setFusedKernels(true);
    const { maxAbs, maxRef } = maxAbsDiff(fast.dataSync(), ref.dataSync());
    expect(maxRef).toBeGreaterThan(0);
    expect(maxAbs).toBeLessThanOrEqual(1e-5 * maxRef);
    tf.dispose([x, offset, mask, filter, fast, ref, ...(bias ? [bias] : [])]);
  });

  it("has the reference's gradient in x, mask, filter and bias, and the finite-difference gradient in the offsets", async () => {
    expect((await createBackend(backend)).kind).toBe(backend);
    const [x, offset, mask, filter, bias] = inputs(CASES[0], seededRandom(5));
    const b = bias as tf.Tensor1D;
    const probe = randomTensor([5, 7, 5], seededRandom(6)); // a random linear loss: every output counts differently
    const loss = (conv: typeof modulatedDeformConv3x3Reference, o: tf.Tensor3D) => (a: tf.Tensor, m: tf.Tensor, f: tf.Tensor, e: tf.Tensor) =>
      tf.sum(tf.mul(probe, conv(a as tf.Tensor3D, o, m as tf.Tensor3D, f as tf.Tensor3D, e as tf.Tensor1D, 1)));
    setFusedKernels(true);
    const fast = tf.grads(loss(modulatedDeformConv3x3, offset))([x, mask, filter, b]).map((g) => g.dataSync());
    // the reference's gradient (offsets constant: tfjs can differentiate that) on cpu: wasm has no UnsortedSegmentSum for gather's gradient
    await createBackend('cpu');
    const ref = tf.grads(loss(modulatedDeformConv3x3Reference, offset))([x, mask, filter, b]).map((g) => g.dataSync());
    await createBackend(backend);
    for (let i = 0; i < 4; i++) {
      const { maxAbs, maxRef } = maxAbsDiff(fast[i], ref[i]);
      expect(maxRef, `input ${i}`).toBeGreaterThan(0);
      expect(maxAbs, `input ${i}`).toBeLessThanOrEqual(1e-5 * maxRef);
    }
    const value = (o: tf.Tensor3D): number => tf.tidy(() => loss(modulatedDeformConv3x3Reference, o)(x, mask, filter, b).dataSync()[0]);
    const dOffset = tf.grad((o: tf.Tensor) => loss(modulatedDeformConv3x3, o as tf.Tensor3D)(x, mask, filter, b))(offset).dataSync();
    const base = offset.dataSync();
    const eps = 1e-2;
    let checked = 0;
    for (let i = 0; i < base.length; i += 7) {
      const shifted = (d: number) => { const v = Float32Array.from(base); v[i] += d; return tf.tensor3d(v, offset.shape); };
      const [up, down] = [shifted(eps), shifted(-eps)];
      const numeric = (value(up) - value(down)) / (2 * eps);
      tf.dispose([up, down]);
      if (Math.abs(((base[i] % 1) + 1) % 1 - 0.5) > 0.45) continue; // within eps of a pixel edge: the bilinear weights kink there
      expect(Math.abs(dOffset[i] - numeric), `offset ${i}: ${dOffset[i]} vs ${numeric}`).toBeLessThanOrEqual(2e-3 + 1e-2 * Math.abs(numeric));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    tf.dispose([x, offset, mask, filter, b, probe]);
  });
});
