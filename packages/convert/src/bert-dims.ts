// BERT dims for a checkpoint: GLIP hard-codes bert-base-uncased, so they are not in the YAML. Sizes are
// read off the weight shapes; the head count cannot be, so it comes from --bert-config, or is 12 for
// hidden size 768 (bert-base), else a typed error.
import type { BertConfig } from '@webglip/core/engine';
import { bertBaseUncased } from '@webglip/core/engine';
import { ConfigError } from '@webglip/core/engine';

const EMB = 'language_backbone.body.model.embeddings';
const LAYER = /^language_backbone\.body\.model\.encoder\.layer\.(\d+)\./;

/**
 * `shapes`: tensor name (without `module.`) → shape. `given`: dims from --bert-config, which win.
 * `headsKnown` is false when the head count had to be guessed (then `numHeads` is 1, a placeholder
 * that lets the key check run first: a wrong checkpoint is reported as such, not as a BERT question).
 */
export function resolveBertConfig(shapes: Map<string, number[]>, given: Partial<BertConfig> = {}): { bert: BertConfig; headsKnown: boolean } {
  const word = shapes.get(`${EMB}.word_embeddings.weight`);
  const inferred: Partial<BertConfig> = {};
  if (word) [inferred.vocabSize, inferred.hiddenSize] = word;
  const pos = shapes.get(`${EMB}.position_embeddings.weight`);
  if (pos) inferred.maxPositions = pos[0];
  const types = shapes.get(`${EMB}.token_type_embeddings.weight`);
  if (types) inferred.typeVocabSize = types[0];
  let layers = 0;
  for (const name of shapes.keys()) {
    const m = LAYER.exec(name);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
  }
  if (layers) inferred.numLayers = layers;
  const ffn = shapes.get('language_backbone.body.model.encoder.layer.0.intermediate.dense.weight');
  if (ffn) inferred.intermediateSize = ffn[0];
  const merged = { ...bertBaseUncased(), ...inferred, ...given };
  if (given.numHeads !== undefined) return { bert: merged, headsKnown: true };
  if (merged.hiddenSize === 768) return { bert: { ...merged, numHeads: 12 }, headsKnown: true };
  return { bert: { ...merged, numHeads: 1 }, headsKnown: false };
}

export function unknownHeadsError(hiddenSize: number): ConfigError {
  return new ConfigError(`the checkpoint's BERT has hidden size ${hiddenSize}, so its attention head count cannot be assumed (12 is bert-base's); `
    + 'pass --bert-config <file.json> with {"num_attention_heads": N} (Hugging Face config.json keys, or a fixture case.json; other dims are read from the weights)');
}
