// Checks a checkpoint's tensor names, shapes and kinds against what the config expects; lists every
// missing, unexpected and mis-shaped tensor by name.
import { CheckpointMismatchError } from '@webglip/core/engine';
import type { ExpectedTensor } from '@webglip/core/engine';
import { isFloatDtype } from './stored-tensor.ts';
import type { StoredDtype } from './stored-tensor.ts';

export interface KeyCheckResult {
  /** Recomputable buffers the checkpoint does not hold (fine: the engine recomputes them). */
  absentBuffers: string[];
}

export function checkKeys(found: Map<string, { shape: number[]; dtype: StoredDtype }>, expected: Map<string, ExpectedTensor>): KeyCheckResult {
  const missing: string[] = [];
  const absentBuffers: string[] = [];
  const misshaped: { name: string; expected: number[]; actual: number[] }[] = [];
  for (const [name, e] of expected) {
    const t = found.get(name);
    if (!t) {
      (e.recomputable ? absentBuffers : missing).push(name);
      continue;
    }
    const sameShape = t.shape.length === e.shape.length && t.shape.every((d, i) => d === e.shape[i] || (i === 0 && e.anyLeadingDim));
    if (!sameShape || isFloatDtype(t.dtype) === e.integer) misshaped.push({ name: `${name}${sameShape ? ` (${t.dtype})` : ''}`, expected: e.shape, actual: t.shape });
  }
  const unexpected = [...found.keys()].filter((n) => !expected.has(n));
  if (missing.length || unexpected.length || misshaped.length) throw new CheckpointMismatchError(missing, unexpected, misshaped);
  return { absentBuffers };
}
