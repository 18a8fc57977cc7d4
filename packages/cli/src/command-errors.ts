// How a command reports a failure on stderr: one line naming what was wrong, and its exit code
// (2: the command line, 1: the inputs or the run). Node's file errors are reworded (no raw errno).
import { GlipError } from '@webglip/core/engine';
import { UsageError } from './args.ts';

interface SystemError extends Error {
  code: string;
  path?: string;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the disk',
  EROFS: 'the file system is read-only',
};

function isFileError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as Partial<SystemError>).code === 'string' && (e as SystemError).code in FILE_ERRORS;
}

/** Prints `e` as `webglip <command>: …` and returns the exit code; rethrows what is a bug, not a user's mistake. */
export function reportCommandError(command: string, e: unknown): number {
  if (e instanceof UsageError) {
    console.error(`webglip ${command}: ${e.message}\n  (webglip ${command} --help lists the options)`);
    return 2;
  }
  if (isFileError(e)) {
    console.error(`webglip ${command}: ${e.path ?? ''}: ${FILE_ERRORS[e.code]}`);
    return 1;
  }
  if (e instanceof GlipError) {
    console.error(`webglip ${command}: ${e.message}`);
    return 1;
  }
  throw e;
}
