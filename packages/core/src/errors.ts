// Every failure the engine reports is one of these classes; `code` is stable for programs,
// `message` says what the user can do about it. Each class spells out its `name`: production
// builds minify class names, and the worker protocol revives errors by this name.

export class GlipError extends Error {
  override name = 'GlipError';

  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Weights or checkpoint bytes that are not in the expected format (corrupt, truncated, wrong kind). */
export class WeightsFormatError extends GlipError {
  override name = 'WeightsFormatError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('weights-format', message, options);
  }
}

/** A prompt that cannot be used (empty, only separators, …). */
export class PromptError extends GlipError {
  override name = 'PromptError';

  constructor(message: string) {
    super('prompt', message);
  }
}

/** A model config (official YAML or our config.json) that is malformed or describes an unsupported model. */
export class ConfigError extends GlipError {
  override name = 'ConfigError';

  constructor(message: string) {
    super('config', message);
  }
}

/** A checkpoint file that cannot be read: empty, not a zip, truncated, or an unsupported container. */
export class CheckpointFormatError extends GlipError {
  override name = 'CheckpointFormatError';

  constructor(readonly reason: 'empty' | 'not-zip' | 'truncated' | 'unsupported', message: string, options?: { cause?: unknown }) {
    super('checkpoint-format', message, options);
  }
}

/** A pickle that names a global outside the tensor whitelist; nothing from it was executed. */
export class UnsafePickleError extends GlipError {
  override name = 'UnsafePickleError';

  constructor(readonly global: string) {
    super('unsafe-pickle', `the checkpoint's pickle refers to "${global}", which is not one of the globals torch.save uses for tensors; refusing to load it (nothing was executed). Re-save the state_dict alone with torch.save, or convert it to .safetensors.`);
  }
}

/** Checkpoint tensors that do not match what the model config expects (names listed). */
export class CheckpointMismatchError extends GlipError {
  override name = 'CheckpointMismatchError';

  constructor(readonly missing: string[], readonly unexpected: string[], readonly misshaped: { name: string; expected: number[]; actual: number[] }[]) {
    const list = (what: string, names: string[]): string => (names.length ? `\n  ${what} (${names.length}): ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}` : '');
    super('checkpoint-mismatch', 'the checkpoint does not match the model config (another architecture, or the wrong --config / --bert-config):'
      + list('missing', missing) + list('unexpected', unexpected)
      + list('wrong shape', misshaped.map((m) => `${m.name} [${m.actual.join(',')}] (expected [${m.expected.join(',')}])`)));
  }
}

/** A downloaded or stored weight shard whose sha256 differs from the manifest's. */
export class IntegrityError extends GlipError {
  override name = 'IntegrityError';

  constructor(readonly file: string, readonly expected: string, readonly actual: string) {
    super('integrity', `weight shard "${file}" is corrupt: sha256 ${actual}, manifest says ${expected}. Clear the cache and reload, or re-run the converter.`);
  }
}

/** An input image the engine cannot use (wrong pixel buffer size, zero width/height, …). */
export class ImageInputError extends GlipError {
  override name = 'ImageInputError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('image-input', message, options);
  }
}

/** The WebGPU device stopped working (driver reset, GPU removed, out of memory, tab backgrounded too long). */
export class DeviceLostError extends GlipError {
  override name = 'DeviceLostError';

  constructor(readonly reason: GPUDeviceLostReason, detail: string) {
    super('device-lost', `the WebGPU device was lost (${reason}${detail ? `: ${detail}` : ''}). Load the detector again to get a new device; if it keeps happening, close other GPU-heavy tabs or choose the wasm backend.`);
  }
}

/** A tokenizer.json that is malformed or not a BERT uncased WordPiece tokenizer. */
export class TokenizerError extends GlipError {
  override name = 'TokenizerError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('tokenizer', message, options);
  }
}

/** A model file that could not be fetched or read, after retries. */
export class WeightsDownloadError extends GlipError {
  override name = 'WeightsDownloadError';

  constructor(readonly file: string, attempts: number, options?: { cause?: unknown }) {
    super('weights-download', `could not load "${file}" after ${attempts} attempt(s): ${options?.cause instanceof Error ? options.cause.message : String(options?.cause)}. Check the connection and the model URL, then retry.`, options);
  }
}

/** An evaluation data set or predictions file (`webglip eval`) that is malformed or does not fit the data. */
export class EvalDataError extends GlipError {
  override name = 'EvalDataError';

  constructor(message: string) {
    super('eval-data', message);
  }
}

/** The GPU reported an error while the engine ran: out of memory, or a rejected command (validation / internal). */
export class GpuError extends GlipError {
  override name = 'GpuError';

  constructor(readonly kind: 'out-of-memory' | 'validation' | 'internal', detail: string) {
    super(kind === 'out-of-memory' ? 'gpu-out-of-memory' : 'gpu-error', kind === 'out-of-memory'
      ? `the GPU ran out of memory (${detail}). Use a smaller image or model, close other GPU-heavy tabs, or choose the wasm backend.`
      : `the GPU rejected the engine's work (${kind}: ${detail}). This is a bug in webglip or the browser's WebGPU: please report it with your GPU and browser; the wasm backend avoids it.`);
  }
}

/** A call on an engine that was disposed (or was being disposed when the call was made). */
export class DisposedError extends GlipError {
  override name = 'DisposedError';

  constructor(what = 'the detector') {
    super('disposed', `${what} was disposed: load the model again to detect`);
  }
}

/** The engine's Web Worker stopped (crashed, or was killed for memory); calls in flight are lost. */
export class WorkerCrashedError extends GlipError {
  override name = 'WorkerCrashedError';

  constructor(detail: string, readonly restarted: boolean) {
    super('worker-crashed', restarted
      ? `the engine worker stopped (${detail}); a new one was started and is reloading the model: retry the call`
      : `the engine worker stopped (${detail}) and was not restarted (it kept failing, or the model was given as files that cannot be sent again): load the model again, or reload the page`);
  }
}

/** The loaded tfjs is not the version whose internals the engine reads (runtime/tfjs-internals.ts). */
export class TfjsVersionError extends GlipError {
  override name = 'TfjsVersionError';

  constructor(message: string) {
    super('tfjs-version', message);
  }
}

/** Prompt-tuning data that cannot be trained on: no examples, a box outside its image or of zero area, a name absent from the prompt. */
export class TuningDataError extends GlipError {
  override name = 'TuningDataError';

  constructor(readonly reason: 'no-examples' | 'box-outside-image' | 'zero-area-box' | 'phrase-not-in-prompt', message: string) {
    super('tuning-data', message);
  }
}

/** A prompt offset that does not fit the prompt it is used with (another token count or width). */
export class PromptOffsetError extends GlipError {
  override name = 'PromptOffsetError';

  constructor(message: string) {
    super('prompt-offset', message);
  }
}

/**
 * A tuned-prompt file that cannot be used: `corrupt` (truncated, not one, or its offset does not match
 * its checksum), `version` (a format version this engine does not read), `other-model` (tuned for
 * another model), `other-caption` (another caption, or token ids the model's tokenizer does not give
 * for its caption), `shape` (its offset is not `[T, D]` for the caption's T tokens and the model's width D).
 */
export class TunedPromptError extends GlipError {
  override name = 'TunedPromptError';

  constructor(readonly reason: 'corrupt' | 'version' | 'other-model' | 'other-caption' | 'shape', message: string, options?: { cause?: unknown }) {
    super('tuned-prompt', message, options);
  }
}
