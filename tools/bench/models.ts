// The models the benchmarks run: the small model (a shipped `models/glip-nano/` folder when present,
// else fixture case-a's official checkpoint through the converter), glip-cnn-nano (ResNet body) and a GLIP-T-shaped model with
// seeded random weights (shapes from /work/shared/fixtures/glip-t-keys.json, config `glipTConfig()`).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { loadCheckpointWeights, loadModelFolder } from '@webglip/convert/node.ts';
import type { GlipConfig, PixelImage, WeightMap } from '@webglip/core/engine';
import { BertTokenizer, glipTConfig, parseConfigJson } from '@webglip/core/engine';
import { CASE_A_DIR, FIXTURES_DIR, REPO_ROOT, caseConfig } from '@webglip/core/testing';
import { type ParameterList, randomWeightMap } from './random-weights.ts';

export interface BenchModel {
  name: string;
  /** Where the weights came from, in words (for the report). */
  source: string;
  config: GlipConfig;
  /** A new tokenizer (a GlipDetector disposes the one it is given). */
  makeTokenizer(): BertTokenizer;
  image: PixelImage;
  /** Longer-side cap passed to preprocessing (null: GLIPDemo, no cap). */
  maxImageSize: number | null;
  /** Loads the weights onto the active backend (timed as "model load"). */
  loadWeights(): Promise<WeightMap>;
}

export type ModelName = 'small' | 'cnn' | 'glipt';

const NANO_DIR = resolve(REPO_ROOT, 'models/glip-nano');
const CNN_DIR = resolve(REPO_ROOT, 'models/glip-cnn-nano');
const TOKENIZER_JSON = resolve(REPO_ROOT, 'models/bert-base-uncased/tokenizer.json');

function readPng(path: string): PixelImage {
  const png = PNG.sync.read(readFileSync(path));
  return { data: png.data, width: png.width, height: png.height };
}

function tokenizer(): BertTokenizer {
  return BertTokenizer.fromJson(readFileSync(TOKENIZER_JSON, 'utf8'));
}

/** The config with the shorter image side set to `shortSide` and the longer-side cap scaled with it. */
function withShortSide(config: GlipConfig, shortSide: number): GlipConfig {
  const { minSizeTest, maxSizeTest } = config.input;
  return { ...config, input: { ...config.input, minSizeTest: shortSide, maxSizeTest: Math.round((shortSide * maxSizeTest) / minSizeTest) } };
}

/** A shipped model folder at its own input size or with the shorter side set to `shortSide`. */
function folderModel(dir: string, name: string, shortSide?: number): BenchModel {
  const config = parseConfigJson(JSON.parse(readFileSync(resolve(dir, 'config.json'), 'utf8'))); // validated and completed as the engine reads it
  return {
    name: `${name}${shortSide === undefined ? '' : ` (short side ${shortSide})`}`, source: `models/${name} (converted model folder)`,
    config: shortSide === undefined ? config : withShortSide(config, shortSide), makeTokenizer: tokenizer,
    image: readPng(resolve(CASE_A_DIR, 'image.png')), maxImageSize: null,
    loadWeights: async () => (await loadModelFolder(dir)).weights,
  };
}

/**
 * The small model: glip-nano when shipped, else case-a (316 px short side), at its own input size or
 * with the shorter side set to `shortSide`.
 */
export function smallModel(shortSide?: number): BenchModel {
  if (existsSync(resolve(NANO_DIR, 'manifest.json'))) return folderModel(NANO_DIR, 'glip-nano', shortSide);
  const side = shortSide === undefined ? '' : ` (short side ${shortSide})`;
  return {
    name: `case-a${side}`, source: 'fixtures/case-a/model.pth (official checkpoint, read by the converter)', config: shortSide === undefined ? caseConfig() : withShortSide(caseConfig(), shortSide),
    makeTokenizer: tokenizer, image: readPng(resolve(CASE_A_DIR, 'image.png')), maxImageSize: null,
    loadWeights: () => loadCheckpointWeights(resolve(CASE_A_DIR, 'model.pth')),
  };
}

/** glip-cnn-nano (glip-nano with a ResNet-50 body, tools/train/glip_cnn_nano.yaml), shipped in models/. */
export function cnnModel(shortSide?: number): BenchModel {
  if (!existsSync(resolve(CNN_DIR, 'manifest.json'))) throw new Error('models/glip-cnn-nano is not there: tools/train/README.md trains and converts it');
  return folderModel(CNN_DIR, 'glip-cnn-nano', shortSide);
}

/**
 * GLIP-T (Swin-T + BERT-base, 231.8 M parameters) with seeded random weights, run with the shorter
 * image side set to `shortSide` (GLIP-T's own 800 is far beyond SwiftShader's reach).
 */
export function gliptModel(shortSide: number): BenchModel {
  const config = withShortSide(glipTConfig(), shortSide);
  const small = readPng(resolve(CASE_A_DIR, 'image.png'));
  return {
    name: `glip-t (random weights, short side ${shortSide})`, source: 'random weights, shapes of glip-t-keys.json', config,
    makeTokenizer: tokenizer, image: small, maxImageSize: null,
    loadWeights: async () => randomWeightMap(JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'glip-t-keys.json'), 'utf8')) as ParameterList),
  };
}
