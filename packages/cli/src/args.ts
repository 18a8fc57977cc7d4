// Command-line arguments for every `webglip` command: node:util's parseArgs with each mistake named in
// a `UsageError` (which option, which value, what is accepted) instead of a bare usage dump.
import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import { GlipError } from '@webglip/core/engine';

/** A command line that cannot be run as written: an unknown or missing option, or a value out of range. */
export class UsageError extends GlipError {
  override name = 'UsageError';

  constructor(readonly command: string, message: string) {
    super('usage', message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Node's parseArgs messages, reworded to name the option and say what to do. */
function reworded(command: string, e: Error & { code?: string }): UsageError {
  const option = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(command, `unknown option ${option ?? e.message}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(command, /argument missing/.test(e.message) ? `option ${option} needs a value` : `option ${option} takes no value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(command, `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''} (every input is given with an option)`);
    default:
      return new UsageError(command, e.message);
  }
}

/** parseArgs with every failure a `UsageError` naming the option. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw reworded(command, e as Error & { code?: string });
  }
}

/** `value`, or a UsageError saying that `--name` is required and what it is for. */
export function required<T>(command: string, name: string, value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(command, `missing --${name} (${what})`);
  return value;
}

/** `value` when it is one of `choices`, else a UsageError listing them. */
export function oneOf<C extends string>(command: string, name: string, value: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(command, `unknown --${name} "${value}" (expected one of: ${choices.join(', ')})`);
  return value as C;
}

/** `value` as a number within [min, max], else a UsageError saying the range. */
export function numberIn(command: string, name: string, value: string, min: number, max: number): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n >= min && n <= max)) throw new UsageError(command, `--${name} "${value}" is not a number from ${min} to ${max}`);
  return n;
}

/** `value` as a whole number within [min, max], else a UsageError saying what it must be. */
export function wholeNumberIn(command: string, name: string, value: string, min: number, max: number): number {
  const n = numberIn(command, name, value, min, max);
  if (!Number.isInteger(n)) throw new UsageError(command, `--${name} "${value}" is not a whole number`);
  return n;
}
