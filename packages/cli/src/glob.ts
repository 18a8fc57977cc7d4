// File-name globs for quoted `--image 'photos/**/*.jpg'` arguments (Node 20 has no fs.glob), through
// tinyglobby (picomatch syntax: `*`, `?`, `**`, `[abc]`, `{png,jpg}`); hidden entries are skipped.
import { isAbsolute } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** True when `pattern` has glob syntax (otherwise it names one path). */
export function isGlob(pattern: string): boolean {
  return isDynamicPattern(pattern);
}

/** The files `pattern` matches, sorted: absolute for an absolute pattern, else relative to the working directory. */
export async function expandGlob(pattern: string): Promise<string[]> {
  return (await glob(pattern, { onlyFiles: true, dot: false, expandDirectories: false, absolute: isAbsolute(pattern) })).sort();
}
