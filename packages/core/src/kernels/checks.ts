// Every fused kernel's fused-vs-reference check, runnable in Node (vitest) and in a browser
// (Playwright): `for (const c of KERNEL_CHECKS) for (const r of await c.run()) assert(r.maxAbs <= r.tol)`.
// Needs the `webgpu` backend active; each check leaves the fused-kernel switch as it found it.
import { biAttentionCheck } from './bi-attention.check.ts';
import type { KernelCheck } from './check-util.ts';
import { conv2dCheck } from './conv2d.check.ts';
import { deformConvCheck } from './deform-conv.check.ts';
import { embeddingF16Check } from './embedding-f16.check.ts';
import { groupNormCheck } from './group-norm.check.ts';
import { layerNormCheck } from './layer-norm.check.ts';
import { linearF16Check } from './linear-f16.check.ts';
import { nmsCheck } from './nms.check.ts';
import { tokenLinearCheck } from './token-linear.check.ts';
import { windowAttentionCheck } from './window-attention.check.ts';

export type { CheckResult, KernelCheck } from './check-util.ts';

export const KERNEL_CHECKS: readonly KernelCheck[] = [layerNormCheck, biAttentionCheck, windowAttentionCheck, deformConvCheck, linearF16Check, tokenLinearCheck, conv2dCheck, groupNormCheck, nmsCheck, embeddingF16Check];
