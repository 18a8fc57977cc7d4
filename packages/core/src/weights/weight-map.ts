// Model parameters on the active tfjs backend, addressed by their official state_dict names
// (without the `module.` prefix), e.g. `backbone.body.layers.0.blocks.0.attn.qkv.weight`.
// A weight an op reads in another layout (a conv filter as `[kh, kw, Cin, Cout]`, a Linear weight
// as `[in, out]`) is prepared once, on first use, and then held only in that layout.
import * as tf from '@tensorflow/tfjs';
import { WeightsFormatError } from '../errors.ts';
import { compileOnlyActive } from '../runtime/compile-only.ts';
import type { SafetensorsFile } from './safetensors.ts';

/** Builds a weight's prepared layout from its official tensor (tfjs ops; runs inside a tidy). */
export type LayoutMaker = (official: tf.Tensor) => tf.Tensor;

export class WeightMap {
  /** Names held in a prepared layout instead of the official one, and that layout's name. */
  private readonly layouts = new Map<string, string>();
  /** Official shapes of the weights held in a prepared layout. */
  private readonly officialShapes = new Map<string, number[]>();
  /** Preparations a compile-only pass asked for (its GPU work does not run): done by `preparePending`. */
  private readonly pending = new Map<string, { layout: string; make: LayoutMaker }>();

  /**
   * `tensors`: the official tensors (f32, int32 for integer buffers); `halfOnDisk`: the names whose
   * values were stored as f16, so that holding them as f16 again loses nothing.
   */
  constructor(
    private readonly tensors: Map<string, tf.Tensor>,
    private readonly halfOnDisk: ReadonlySet<string> = new Set(),
  ) {}

  /** Builds tensors (f32, or int32 for integer buffers) for every entry of the given files. */
  static fromSafetensors(files: SafetensorsFile[]): WeightMap {
    const tensors = new Map<string, tf.Tensor>();
    const half = new Set<string>();
    for (const file of files) {
      for (const name of file.names()) {
        const { data, shape, dtype } = file.get(name);
        tensors.set(name, data instanceof Float32Array ? tf.tensor(data, shape, 'float32') : tf.tensor(Int32Array.from(data), shape, 'int32'));
        if (dtype === 'F16') half.add(name);
      }
    }
    return new WeightMap(tensors, half);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** Whether the weight's values were stored as f16 (every value exactly representable in f16). */
  storedAsF16(name: string): boolean {
    return this.halfOnDisk.has(name);
  }

  /** The prepared layout the weight is held in, or undefined while it is held as official. */
  layoutOf(name: string): string | undefined {
    return this.layouts.get(name);
  }

  /** The weight's official shape, also once it is held in a prepared layout. */
  shapeOf(name: string): number[] {
    return this.officialShapes.get(name) ?? this.stored(name).shape;
  }

  /** The weight in its official layout. */
  get(name: string): tf.Tensor {
    const layout = this.layouts.get(name);
    if (layout !== undefined) throw new Error(`weight "${name}" is held in its prepared "${layout}" layout: read it with prepared()`);
    return this.stored(name);
  }

  /**
   * The weight in `layout`, made by `make` from the official tensor on the first call; the official
   * tensor is then disposed and later calls return the prepared one. Asking for a second layout of
   * the same weight throws. During a compile-only pass (nothing runs on the GPU) `make`'s result is
   * returned for that pass only and the preparation is left for `preparePending`.
   */
  prepared(name: string, layout: string, make: LayoutMaker): tf.Tensor {
    const held = this.layouts.get(name);
    if (held !== undefined) {
      if (held !== layout) throw new Error(`weight "${name}" is held in layout "${held}", asked for "${layout}"`);
      return this.stored(name);
    }
    const official = this.stored(name);
    if (compileOnlyActive()) {
      this.pending.set(name, { layout, make });
      return make(official);
    }
    const made = tf.keep(tf.tidy(() => make(official)));
    this.officialShapes.set(name, official.shape);
    official.dispose();
    this.tensors.set(name, made);
    this.layouts.set(name, layout);
    return made;
  }

  /** Prepares the layouts a compile-only pass asked for (their GPU work runs now; its pipelines are compiled). */
  preparePending(): void {
    for (const [name, { layout, make }] of this.pending) this.prepared(name, layout, make);
    this.pending.clear();
  }

  /** How many weights are held in a prepared layout. */
  get preparedCount(): number {
    return this.layouts.size;
  }

  /** GPU bytes of the weights as held now (official or prepared layouts; every element 4 bytes, f16 pairs two halves per element). */
  get heldBytes(): number {
    let bytes = 0;
    for (const t of this.tensors.values()) bytes += 4 * t.size;
    return bytes;
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
    this.layouts.clear();
    this.officialShapes.clear();
    this.pending.clear();
  }

  private stored(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new WeightsFormatError(`model weights lack "${name}": the checkpoint does not match this config`);
    return t;
  }
}
