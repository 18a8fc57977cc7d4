// The VLDyHead tower (`rpn.head.dyhead_tower`): numConvs blocks of
//   VLFuse (index 3i) → BertEncoderLayer on the text (3i+1) → DyConv on the visual levels (3i+2).
import * as tf from '@tensorflow/tfjs';
import type { BertConfig, DyHeadConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { bertLayer } from './bert.ts';
import { dyConv } from './dyhead.ts';
import { vlFuse } from './fusion.ts';

const PREFIX = 'rpn.head.dyhead_tower';

/**
 * Receives each stage's output: `dyhead.{i}.fuse.visual` / `.fuse.lang`, `dyhead.{i}.bert.lang`,
 * `dyhead.{i}.dyconv.visual` (visual stages give P3..P7). The tensors are disposed after the call
 * returns; keep a clone to hold on to one.
 */
export type StageObserver = (stage: string, tensors: tf.Tensor[]) => void;

export interface TowerOutputs {
  /** final visual levels `[1, H_l, W_l, C]` */
  visual: tf.Tensor4D[];
  /** final text `[T, D]` */
  lang: tf.Tensor2D;
}

/** visual: P3..P7 `[1, H_l, W_l, C]`; lang: BERT hidden `[T, D]`; mask `[T]` (0/1). */
export function vlDyHeadTower(
  w: WeightMap,
  cfg: { dyhead: DyHeadConfig; bert: BertConfig },
  visual: tf.Tensor4D[],
  lang: tf.Tensor2D,
  mask: tf.Tensor1D,
  observe?: StageObserver,
): TowerOutputs {
  const { useGn, useDyRelu, useDfConv, useDyFuse } = cfg.dyhead;
  if (!(useGn && useDyRelu && useDfConv && useDyFuse)) {
    throw new ConfigError('dyhead: only the GLIP-T DyHead (USE_GN, USE_DYRELU, USE_DFCONV and USE_DYFUSE all true) is implemented');
  }
  let v = visual;
  let l = lang;
  const replace = <T extends tf.Tensor | tf.Tensor[]>(old: T, next: T, keep: T): T => {
    if (old !== keep) tf.dispose(old);
    return next;
  };
  for (let i = 0; i < cfg.dyhead.numConvs; i++) {
    const fused = vlFuse(w, `${PREFIX}.${3 * i}`, v, l, mask, cfg.dyhead.fusion.numHeads);
    observe?.(`dyhead.${i}.fuse.visual`, fused.visual);
    observe?.(`dyhead.${i}.fuse.lang`, [fused.lang]);
    v = replace(v, fused.visual, visual);
    l = replace(l, fused.lang, lang);

    const textLayer = { numHeads: cfg.bert.numHeads, layerNormEps: cfg.bert.layerNormEps, glipClamps: true };
    l = replace(l, bertLayer(w, `${PREFIX}.${3 * i + 1}`, l, mask, textLayer), lang);
    observe?.(`dyhead.${i}.bert.lang`, [l]);

    v = replace(v, dyConv(w, `${PREFIX}.${3 * i + 2}`, v, { gnGroups: cfg.dyhead.gnGroups, gnEps: cfg.dyhead.gnEps }), visual);
    observe?.(`dyhead.${i}.dyconv.visual`, v);
  }
  return { visual: v, lang: l };
}
