// Paths and loaders for the official-code golden fixtures in ../shared/fixtures (tests and tools only).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bertConfigFromHf, configFromOfficialYaml, type GlipConfig } from '../config.ts';
import { SafetensorsFile } from '../weights/safetensors.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SHARED_DIR = process.env.WEBGLIP_SHARED ?? resolve(REPO_ROOT, '../shared');
export const FIXTURES_DIR = resolve(SHARED_DIR, 'fixtures');
export const CASE_A_DIR = resolve(FIXTURES_DIR, 'case-a');
/** The ResNet-FPN body fixture, committed in the repo (made by tools/fixtures/case-resnet/make_case_resnet.py). */
export const CASE_RESNET_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/case-resnet');
/** GLIP's training loss and its offset gradient on case-a (made by tools/fixtures/tuning-case/make_tuning_case.py). */
export const TUNING_CASE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/tuning-case');

const cache = new Map<string, SafetensorsFile>();

/** The captured tensors of a fixture case (`tensors.safetensors`), read once per process. */
export function caseTensors(caseDir: string = CASE_A_DIR): SafetensorsFile {
  let f = cache.get(caseDir);
  if (!f) {
    f = new SafetensorsFile(readFileSync(resolve(caseDir, 'tensors.safetensors')));
    cache.set(caseDir, f);
  }
  return f;
}

/** `case.json` of a fixture case. */
export function caseJson(caseDir: string = CASE_A_DIR): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(caseDir, 'case.json'), 'utf8')) as Record<string, unknown>;
}

/** The model config of a fixture case: its official `config.yaml` plus the BERT dims of `case.json`. */
export function caseConfig(caseDir: string = CASE_A_DIR): GlipConfig {
  const shim = (caseJson(caseDir).config as { bert_config_shim?: unknown } | undefined)?.bert_config_shim;
  return configFromOfficialYaml(readFileSync(resolve(caseDir, 'config.yaml'), 'utf8'), shim === undefined ? undefined : bertConfigFromHf(shim));
}
