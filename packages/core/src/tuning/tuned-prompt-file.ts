// A tuned prompt as a file of its own (`*.tuned-prompt.json`, docs/TUNED-PROMPT-FORMAT.md): one JSON
// object a user can read, with the prompt it was tuned for (caption, phrase spans, token ids), the
// model it belongs to (weights/model-identity.ts), how it was trained and its final loss, and the offset
// `[T, D]` as little-endian f16 or f32 bytes in base64 with their sha256. The model's own files are
// never touched: the offset lives only here and is added to the language features at detection time.
// No tfjs here: pages read and write these files too.
import { TunedPromptError } from '../errors.ts';
import type { CharSpan, Prompt } from '../text/prompt.ts';
import { f16ToF32, f32ToF16 } from '../weights/half-float.ts';
import { sha256Hex } from '../weights/manifest.ts';
import type { TunedPrompt } from './prompt-tuning.ts';

export const TUNED_PROMPT_FORMAT = 'webglip-tuned-prompt';
export const TUNED_PROMPT_VERSION = 1;

export type OffsetDtype = 'f16' | 'f32';

/** How the offset was trained. */
export interface TuningSettings {
  /** Example images trained on. */
  examples: number;
  /** K when the examples were sampled K per category (`webglip tune --shots K`), else null. */
  shots: number | null;
  /** Optimiser steps asked for. */
  steps: number;
  /** Steps whose update was applied (fewer than `steps` when a non-finite loss stopped the run). */
  stepsRun: number;
  learningRate: number;
  weightDecay: number;
  batchSize: number;
  /** Only the rows of phrases some box named were trained (TuneOptions.taughtPhrasesOnly); absent: every row, as GLIP. */
  taughtPhrasesOnly?: true;
}

/** A tuned prompt, as read from or written to its file. */
export interface TunedPromptFile {
  /** The model it belongs to: `modelSha256(manifest)` of that model folder. */
  modelSha256: string;
  caption: string;
  /** The phrases grounded, as `[start, end)` spans of the caption. */
  phrases: CharSpan[];
  /** The caption's token ids as the model's tokenizer gives them ([CLS] … [SEP]); T = their number. */
  tokenIds: number[];
  /** `[T, D]`: T tokens, D the model's language width. */
  shape: [number, number];
  /** `[T·D]` row-major (an f16 file's values decoded to f32). */
  offset: Float32Array;
  /** How the offset is stored in the file. */
  dtype: OffsetDtype;
  training: TuningSettings;
  /** The last finite step loss; null when no step ran. */
  finalLoss: number | null;
  stopReason: 'completed' | 'cancelled' | 'non-finite-loss';
}

/** The file of a tuning run's result (`GlipDetector.tunePrompt`), for the model `modelSha256` names. */
export function tunedPromptFileOf(
  tuned: TunedPrompt,
  context: { modelSha256: string; phrases: readonly CharSpan[]; dtype: OffsetDtype; training: Omit<TuningSettings, 'stepsRun'> },
): TunedPromptFile {
  return {
    modelSha256: context.modelSha256,
    caption: tuned.caption,
    phrases: context.phrases.map(([start, end]) => [start, end]),
    tokenIds: tuned.tokenIds,
    shape: tuned.shape,
    offset: tuned.offset,
    dtype: context.dtype,
    training: { ...context.training, stepsRun: tuned.steps },
    finalLoss: Number.isFinite(tuned.finalLoss) ? tuned.finalLoss : null,
    stopReason: tuned.stopReason,
  };
}

/** The prompt a tuned prompt grounds: its caption and phrases. */
export function tunedPromptOf(file: Pick<TunedPromptFile, 'caption' | 'phrases'>): Prompt {
  return { caption: file.caption, phrases: file.phrases.map(([start, end]) => ({ text: file.caption.slice(start, end), charSpan: [start, end] })) };
}

/** The file's bytes: UTF-8 JSON, one field per line, the offset's base64 last. */
export async function encodeTunedPrompt(file: TunedPromptFile): Promise<Uint8Array> {
  const [t, d] = file.shape;
  if (file.offset.length !== t * d) throw new RangeError(`the offset has ${file.offset.length} values, its shape [${t}, ${d}] needs ${t * d}`);
  if (file.tokenIds.length !== t) throw new RangeError(`the offset has ${t} rows but the caption ${file.tokenIds.length} tokens`);
  if (!file.offset.every(Number.isFinite)) throw new RangeError('the offset has non-finite values; a tuned prompt keeps only finite offsets');
  let stored: Uint8Array;
  if (file.dtype === 'f16') {
    const { half, saturated } = f32ToF16(file.offset);
    if (saturated > 0) throw new RangeError(`${saturated} offset value(s) exceed f16's range (±65504): write the file as f32`);
    stored = new Uint8Array(half.buffer);
  } else {
    stored = new Uint8Array(file.offset.slice().buffer);
  }
  const fields: [string, unknown][] = [
    ['format', TUNED_PROMPT_FORMAT],
    ['version', TUNED_PROMPT_VERSION],
    ['modelSha256', file.modelSha256],
    ['caption', file.caption],
    ['phrases', file.phrases],
    ['tokenIds', file.tokenIds],
    ['training', file.training],
    ['finalLoss', file.finalLoss],
    ['stopReason', file.stopReason],
    ['offset', { dtype: file.dtype, shape: file.shape, sha256: await sha256Hex(stored), base64: toBase64(stored) }],
  ];
  return new TextEncoder().encode(`{\n${fields.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`);
}

/** Reads a tuned-prompt file; anything truncated, malformed or of another version is a TunedPromptError. */
export async function decodeTunedPrompt(bytes: Uint8Array): Promise<TunedPromptFile> {
  const corrupt = (what: string): never => {
    throw new TunedPromptError('corrupt', `not a usable tuned-prompt file: ${what}. Tune the prompt again, or use the file as it was written`);
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    corrupt('it is not complete JSON (truncated, or another kind of file)');
  }
  if (!isObject(json) || json.format !== TUNED_PROMPT_FORMAT) return corrupt(`it is not a "${TUNED_PROMPT_FORMAT}" file`);
  if (json.version !== TUNED_PROMPT_VERSION) {
    const newer = typeof json.version === 'number' && json.version > TUNED_PROMPT_VERSION;
    throw new TunedPromptError('version', `the tuned-prompt file is format version ${String(json.version)}; this webglip reads version ${TUNED_PROMPT_VERSION}${newer ? ': update webglip' : ''}`);
  }
  const { modelSha256, caption, phrases, tokenIds, training, finalLoss, stopReason, offset } = json;
  if (typeof modelSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(modelSha256)) corrupt('"modelSha256" must be 64 lowercase hex digits');
  if (typeof caption !== 'string' || caption.length === 0) corrupt('"caption" must be a non-empty string');
  const captionLength = (caption as string).length;
  if (!Array.isArray(phrases) || phrases.length === 0 || !phrases.every((s) => isSpan(s, captionLength))) corrupt('"phrases" must be [start, end) spans inside the caption');
  if (!Array.isArray(tokenIds) || tokenIds.length === 0 || !tokenIds.every((id) => Number.isInteger(id) && id >= 0)) corrupt('"tokenIds" must be a list of token ids');
  if (finalLoss !== null && !(typeof finalLoss === 'number' && Number.isFinite(finalLoss))) corrupt('"finalLoss" must be a number or null');
  if (stopReason !== 'completed' && stopReason !== 'cancelled' && stopReason !== 'non-finite-loss') corrupt('"stopReason" must be "completed", "cancelled" or "non-finite-loss"');
  const settings = parseSettings(training) ?? corrupt('"training" must hold examples, shots, steps, stepsRun, learningRate, weightDecay and batchSize');
  if (!isObject(offset)) return corrupt('"offset" is missing');
  const { dtype, shape, sha256, base64 } = offset;
  if (dtype !== 'f16' && dtype !== 'f32') corrupt('"offset.dtype" must be "f16" or "f32"');
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((n) => Number.isSafeInteger(n) && n > 0)) corrupt('"offset.shape" must be [T, D] with positive integers');
  const [t, d] = shape as [number, number];
  if (t !== (tokenIds as number[]).length) {
    throw new TunedPromptError('shape', `the tuned-prompt file's offset is [${t}, ${d}] but its caption has ${(tokenIds as number[]).length} tokens: the offset needs one row per token`);
  }
  if (typeof base64 !== 'string' || typeof sha256 !== 'string') return corrupt('"offset" needs "sha256" and "base64"');
  const stored = fromBase64(base64) ?? corrupt('"offset.base64" is not base64');
  const bytesPer = dtype === 'f16' ? 2 : 4;
  if (stored.length !== t * d * bytesPer) corrupt(`the offset holds ${stored.length} bytes, [${t}, ${d}] ${dtype as string} needs ${t * d * bytesPer} (truncated?)`);
  if ((await sha256Hex(stored)) !== sha256) corrupt('the offset\'s bytes do not match their sha256 (the file was altered or damaged)');
  const values = dtype === 'f16' ? f16ToF32(new Uint16Array(stored.buffer, stored.byteOffset, t * d)) : new Float32Array(stored.buffer, stored.byteOffset, t * d);
  if (!values.every(Number.isFinite)) corrupt('the offset has non-finite values');
  return {
    modelSha256: modelSha256 as string,
    caption: caption as string,
    phrases: (phrases as CharSpan[]).map(([s, e]) => [s, e]),
    tokenIds: tokenIds as number[],
    shape: [t, d],
    offset: values,
    dtype: dtype as OffsetDtype,
    training: settings,
    finalLoss: finalLoss as number | null,
    stopReason: stopReason as TunedPromptFile['stopReason'],
  };
}

/** Throws a TunedPromptError unless `file` was tuned on the model `modelSha256` identifies. */
export function checkTunedPromptModel(file: Pick<TunedPromptFile, 'modelSha256'>, modelSha256: string): void {
  if (file.modelSha256 !== modelSha256) {
    throw new TunedPromptError('other-model', `this tuned prompt belongs to another model (sha256 ${file.modelSha256.slice(0, 12)}…, this model is ${modelSha256.slice(0, 12)}…): use it with the model it was tuned on, or tune the prompt again on this one`);
  }
}

/** How the model reads a tuned prompt's caption: its token ids for it and its language width D. */
export interface TunedPromptTarget {
  tokenIds: ArrayLike<number>;
  width: number;
}

/** Throws a TunedPromptError unless the model tokenises the file's caption as recorded and the offset is `[T, D]` for it. */
export function checkTunedPromptFits(file: TunedPromptFile, target: TunedPromptTarget): void {
  const ids = Array.from(target.tokenIds);
  if (ids.length !== file.tokenIds.length || ids.some((id, i) => id !== file.tokenIds[i])) {
    throw new TunedPromptError('other-caption', `the model reads the tuned prompt's caption "${file.caption}" as other tokens than the file records (${ids.length} vs ${file.tokenIds.length}): the file was tuned with another tokenizer or edited; tune the prompt again`);
  }
  const [t, d] = file.shape;
  if (t !== ids.length || d !== target.width) {
    throw new TunedPromptError('shape', `the tuned prompt's offset is [${t}, ${d}], this model needs [${ids.length}, ${target.width}] for its caption: tune the prompt again on this model`);
  }
}

/** Throws a TunedPromptError unless `caption` (a prompt the user gave, or a data set's categories) is the tuned prompt's caption. */
export function checkTunedCaption(file: Pick<TunedPromptFile, 'caption'>, caption: string, what: string): void {
  if (caption !== file.caption) {
    throw new TunedPromptError('other-caption', `${what} is "${caption}", but the tuned prompt was tuned for "${file.caption}": a tuned prompt only works with its own caption (leave the prompt out to use it)`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSpan(v: unknown, length: number): boolean {
  return Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && Number.isInteger(v[1]) && v[0] >= 0 && v[0] < v[1] && v[1] <= length;
}

function parseSettings(v: unknown): TuningSettings | undefined {
  if (!isObject(v)) return undefined;
  const { examples, shots, steps, stepsRun, learningRate, weightDecay, batchSize, taughtPhrasesOnly } = v;
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  const real = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  if (!count(examples) || !(shots === null || count(shots)) || !count(steps) || !count(stepsRun) || !real(learningRate) || !real(weightDecay) || !count(batchSize)) return undefined;
  if (taughtPhrasesOnly !== undefined && taughtPhrasesOnly !== true) return undefined;
  return { examples, shots, steps, stepsRun, learningRate, weightDecay, batchSize, ...(taughtPhrasesOnly ? { taughtPhrasesOnly } : {}) } as TuningSettings;
}

const BASE64_CHUNK = 0x8000;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
