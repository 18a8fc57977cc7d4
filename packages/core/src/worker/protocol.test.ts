import { describe, expect, it } from 'vitest';
import { ConfigError, GlipError, PromptError } from '../errors.ts';
import { errorPayload, reviveError } from './protocol.ts';

describe('errors across the worker boundary', () => {
  it('re-throws a GlipError subclass as the same class with its code and message', () => {
    const revived = reviveError(structuredClone(errorPayload(new PromptError('the prompt is empty: type what to find'))));
    expect(revived).toBeInstanceOf(PromptError);
    expect(revived).toBeInstanceOf(GlipError);
    expect(revived.name).toBe('PromptError');
    expect((revived as PromptError).code).toBe('prompt');
    expect(revived.message).toBe('the prompt is empty: type what to find');
    expect(reviveError(errorPayload(new ConfigError('bad')))).toBeInstanceOf(ConfigError);
  });

  it('turns other errors and thrown values into plain Errors', () => {
    const revived = reviveError(errorPayload(new TypeError('boom')));
    expect(revived).not.toBeInstanceOf(GlipError);
    expect(revived.name).toBe('TypeError');
    expect(reviveError(errorPayload('just a string')).message).toBe('just a string');
  });
});
