// The VLDyHead tower (`rpn.head.dyhead_tower`): numConvs blocks of
//   VLFuse (index 3i) → BertEncoderLayer on the text (3i+1) → DyConv on the visual levels (3i+2).
import * as tf from '@tensorflow/tfjs';
import type { BertConfig, DyHeadConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { WeightMap } from '../weights/weight-map.ts';
import { bertLayer } from './bert.ts';
import { dyConv } from './dyhead.ts';
import type { ForwardSteps } from './forward-steps.ts';
import { vlFuse } from './fusion.ts';

const PREFIX = 'rpn.head.dyhead_tower';

export interface TowerOutputs {
  /** final visual levels `[1, H_l, W_l, C]` */
  visual: tf.Tensor4D[];
  /** final text `[T, D]` */
  lang: tf.Tensor2D;
}

/**
 * visual: P3..P7 `[1, H_l, W_l, C]`; lang: BERT hidden `[T, D]`; mask `[T]` (0/1). Stages per block i:
 * `dyhead.{i}.fuse` (P3..P7 then the text), `dyhead.{i}.bert` (the text), `dyhead.{i}.dyconv` (P3..P7).
 * The inputs stay the caller's; the outputs are new.
 */
export function* vlDyHeadTower(
  w: WeightMap,
  cfg: { dyhead: DyHeadConfig; bert: BertConfig },
  visual: tf.Tensor4D[],
  lang: tf.Tensor2D,
  mask: tf.Tensor1D,
): ForwardSteps<TowerOutputs> {
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
  const textLayer = { numHeads: cfg.bert.numHeads, layerNormEps: cfg.bert.layerNormEps, glipClamps: true };
  for (let i = 0; i < cfg.dyhead.numConvs; i++) {
    const fused = vlFuse(w, `${PREFIX}.${3 * i}`, v, l, mask, cfg.dyhead.fusion.numHeads);
    v = replace(v, fused.visual, visual);
    l = replace(l, fused.lang, lang);
    yield { name: `dyhead.${i}.fuse`, tensors: [...v, l] };

    l = replace(l, bertLayer(w, `${PREFIX}.${3 * i + 1}`, l, mask, textLayer), lang);
    yield { name: `dyhead.${i}.bert`, tensors: [l] };

    v = replace(v, dyConv(w, `${PREFIX}.${3 * i + 2}`, v, { gnGroups: cfg.dyhead.gnGroups, gnEps: cfg.dyhead.gnEps }), visual);
    yield { name: `dyhead.${i}.dyconv`, tensors: v };
  }
  return { visual: v, lang: l };
}
