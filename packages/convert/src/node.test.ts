import * as tf from '@tensorflow/tfjs';
import { CASE_A_DIR } from '@webglip/core/testing';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpointWeights } from './node.ts';

describe('loadCheckpointWeights (what model tests use to load case-a)', () => {
  it('gives every case-a tensor under its official name without module.', async () => {
    await tf.setBackend('cpu');
    const w = await loadCheckpointWeights(resolve(CASE_A_DIR, 'model.pth'));
    expect(w.names()).toHaveLength(314);
    expect(w.get('backbone.body.patch_embed.proj.weight').shape).toEqual([24, 3, 4, 4]);
    const index = w.get('backbone.body.layers.0.blocks.0.attn.relative_position_index');
    expect(index.dtype).toBe('int32');
    expect(index.shape).toEqual([49, 49]);
    expect(Array.from(index.dataSync().slice(0, 3))).toEqual([84, 83, 82]);
    expect(w.get('rpn.anchor_generator.cell_anchors.0').arraySync()).toEqual([[-28, -28, 35, 35]]);
    w.dispose();
  });
});
