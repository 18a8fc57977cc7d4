// A tuned prompt as a file of its own, beside the model it belongs to (the model's files are never
// touched): one JSON document a user can read —
//   { format: 'webglip-tuned-prompt', version: 1,
//     model: { sha256 },               the model's identity (modelIdentity: its shards' sha256s hashed)
//     caption, tokenIds,               the prompt as tokenised when it was tuned
//     shape: [T, D], dtype: 'f32',     the offset added to the prompt's language features
//     offset,                          its T·D float32 values, little-endian, base64
//     settings, steps, finalLoss, stopReason } how it was trained, and how the run ended
// Reading it back checks all of that: a truncated or foreign file, another version, or another model
// is a TunedPromptError; an offset that does not fit its caption is one too.
import { TunedPromptError } from '../errors.ts';
import { sha256Hex, type WeightsManifest } from '../weights/manifest.ts';
import type { TunedPrompt } from './prompt-tuning.ts';

export const TUNED_PROMPT_FORMAT = 'webglip-tuned-prompt';
export const TUNED_PROMPT_VERSION = 1;

/** What a tuned-prompt file holds, read back. */
export interface TunedPromptFile {
  modelSha256: string;
  caption: string;
  tokenIds: number[];
  shape: [number, number];
  offset: Float32Array;
  settings: TuneSettingsRecord;
  /** Steps whose update was applied. */
  steps: number;
  finalLoss: number;
  stopReason: TunedPrompt['stopReason'];
}

/** The training settings recorded with a tuned prompt. */
export type TuneSettingsRecord = TunedPrompt['settings'];

/**
 * A model's identity for tuned prompts: sha256 of its manifest's shard sha256s, one per line, in
 * manifest order. The shards are verified against those sums when the model loads, so two folders
 * with the same weights have the same identity whatever their names or location.
 */
export function modelIdentity(manifest: WeightsManifest): Promise<string> {
  return sha256Hex(new TextEncoder().encode(manifest.shards.map((s) => s.sha256).join('\n')));
}

/** What the file is written from: a tuning run's result (GlipDetector.tunePrompt, or GlipClient.tune's). */
export type TunedPromptRecord = Pick<TunedPrompt, 'offset' | 'shape' | 'caption' | 'tokenIds' | 'steps' | 'finalLoss' | 'stopReason' | 'settings'>;

export function writeTunedPromptFile(tuned: TunedPromptRecord, modelSha256: string): Uint8Array {
  const [t, d] = tuned.shape;
  if (tuned.offset.length !== t * d || tuned.tokenIds.length !== t) throw new RangeError(`offset of ${tuned.offset.length} values and ${tuned.tokenIds.length} token ids do not make shape [${t}, ${d}]`);
  const bytes = new Uint8Array(tuned.offset.buffer, tuned.offset.byteOffset, tuned.offset.byteLength);
  const doc = {
    format: TUNED_PROMPT_FORMAT,
    version: TUNED_PROMPT_VERSION,
    model: { sha256: modelSha256 },
    caption: tuned.caption,
    tokenIds: tuned.tokenIds,
    shape: [t, d],
    dtype: 'f32',
    offset: toBase64(bytes),
    settings: tuned.settings,
    steps: tuned.steps,
    finalLoss: tuned.finalLoss,
    stopReason: tuned.stopReason,
  };
  return new TextEncoder().encode(`${JSON.stringify(doc, null, 1)}\n`);
}

/** Reads a tuned-prompt file for the model whose identity is `modelSha256`; TunedPromptError if it is not one for it. */
export function readTunedPromptFile(bytes: Uint8Array, modelSha256: string): TunedPromptFile {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new TunedPromptError('corrupt', 'this is not a tuned-prompt file (not JSON, or cut short): save it again from the teach page or `webglip tune`');
  }
  const bad = (what: string): never => {
    throw new TunedPromptError('corrupt', `tuned-prompt file: ${what}`);
  };
  if (doc === null || typeof doc !== 'object' || doc.format !== TUNED_PROMPT_FORMAT) bad(`"format" is not "${TUNED_PROMPT_FORMAT}"`);
  if (doc.version !== TUNED_PROMPT_VERSION) throw new TunedPromptError('version', `tuned-prompt file version ${JSON.stringify(doc.version)}: this webglip reads version ${TUNED_PROMPT_VERSION}`);
  const model = doc.model as { sha256?: unknown } | undefined;
  if (typeof model?.sha256 !== 'string') bad('"model.sha256" is missing');
  if (model!.sha256 !== modelSha256) {
    throw new TunedPromptError('other-model', `this prompt was tuned for another model (${String(model!.sha256).slice(0, 12)}…, this one is ${modelSha256.slice(0, 12)}…): tune it again on this model`);
  }
  const shape = doc.shape as unknown;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((n) => Number.isSafeInteger(n) && n > 0)) bad('"shape" must be [T, D]');
  const [t, d] = shape as [number, number];
  if (typeof doc.caption !== 'string' || doc.caption === '') bad('"caption" is missing');
  const tokenIds = doc.tokenIds as unknown;
  if (!Array.isArray(tokenIds) || tokenIds.length !== t || !tokenIds.every((n) => Number.isSafeInteger(n) && n >= 0)) bad(`"tokenIds" must be ${t} token ids`);
  if (doc.dtype !== 'f32') bad('"dtype" must be "f32"');
  if (typeof doc.offset !== 'string') bad('"offset" is missing');
  const raw = fromBase64(doc.offset as string);
  if (raw === null || raw.byteLength !== 4 * t * d) bad(`"offset" must hold ${t}·${d} float32 values`);
  const offset = new Float32Array(raw!.buffer.slice(raw!.byteOffset, raw!.byteOffset + raw!.byteLength));
  if (!offset.every(Number.isFinite)) bad('"offset" holds a value that is not finite');
  const settings = doc.settings as TuneSettingsRecord;
  if (settings === null || typeof settings !== 'object') bad('"settings" is missing');
  return {
    modelSha256,
    caption: doc.caption as string,
    tokenIds: tokenIds as number[],
    shape: [t, d],
    offset,
    settings,
    steps: Number(doc.steps),
    finalLoss: Number(doc.finalLoss),
    stopReason: doc.stopReason as TunedPrompt['stopReason'],
  };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
