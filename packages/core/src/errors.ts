// Every failure the engine reports is one of these classes; `code` is stable for programs,
// `message` says what the user can do about it.

export class GlipError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Weights or checkpoint bytes that are not in the expected format (corrupt, truncated, wrong kind). */
export class WeightsFormatError extends GlipError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('weights-format', message, options);
  }
}

/** A prompt that cannot be used (empty, only separators, …). */
export class PromptError extends GlipError {
  constructor(message: string) {
    super('prompt', message);
  }
}
