// How the forward pass hands its stages to whoever runs it. Each part of the pass (forward-pass.ts) is a
// generator that yields once after every stage, with that stage's outputs, and returns its result:
//   runSteps(steps, observe?)  runs it straight through (detect, the compile-only pass, gradients: all
//                              synchronous), showing each stage to `observe` (parity, memory);
//   runStaged(steps, wrap)     runs it one stage at a time, each inside `wrap` (async: the bench waits
//                              for the GPU, times or profiles each stage).
// So the pass is written once and every caller sees the same stages.
import type * as tf from '@tensorflow/tfjs';

/** A stage's name (see forward-pass.ts for the names and each one's tensors) and its outputs. */
export interface Stage {
  name: string;
  /** Owned by the pass, which may dispose them once it resumes: clone one to keep it. */
  tensors: tf.Tensor[];
}

/** A part of the forward pass: yields after every stage, returns the part's result. */
export type ForwardSteps<T> = Generator<Stage, T, void>;

/** Runs `steps` to the end, synchronously; `observe` sees every stage before the pass goes on. */
export function runSteps<T>(steps: ForwardSteps<T>, observe?: (stage: Stage) => void): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    observe?.(next.value);
  }
}

/**
 * Runs `steps` one stage at a time, each inside `wrap`: `runStage` does the stage's work and returns
 * the stage, or null for the generator's last resumption (the work after its last stage: none in
 * forward-pass.ts). `wrap` awaits what it needs around it (a GPU wait, a timer, tf.profile).
 */
export async function runStaged<T>(steps: ForwardSteps<T>, wrap: (runStage: () => Stage | null) => Promise<void>): Promise<T> {
  let result: { value: T } | undefined;
  while (result === undefined) {
    await wrap(() => {
      const next = steps.next();
      if (!next.done) return next.value;
      result = { value: next.value };
      return null;
    });
  }
  return result.value;
}
