// File-name globs for quoted `--image 'photos/**/*.jpg'` arguments (Node 20 has no fs.glob):
// `*` and `?` within one path segment, `**` for any number of folders, `[abc]` / `[a-z]`, `{png,jpg}`.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const MAGIC = /[*?[{]/;

/** True when `pattern` has glob syntax (otherwise it names one path). */
export function isGlob(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/** The regular expression of one glob segment-sequence, matched against `/`-separated relative paths. */
export function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern.slice(i + 1, end).split(',').map((alt) => alt.replace(/[.+^$()|\\]/g, '\\$&')).join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every file under `dir`, as `/`-separated paths relative to it (hidden entries skipped). */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(dir, path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/** The files `pattern` matches, sorted; the folders before its first glob segment are walked. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const segments = pattern.split('/');
  const first = segments.findIndex((s) => isGlob(s));
  const base = segments.slice(0, first).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const rest = segments.slice(first).join('/');
  const matcher = globRegExp(rest);
  const files = await filesUnder(base);
  const prefix = first === 0 ? '' : `${segments.slice(0, first).join('/')}/`;
  return files.filter((f) => matcher.test(f)).map((f) => `${prefix}${f}`).sort();
}
