// The <glip-detector> widget reads nothing from its host page but its own attributes and the image it
// was pointed at. e2e/widget-isolation.spec.ts checks that at run time, in Chromium; this source-level
// policy check over the widget and the page-side engine client adds what a run cannot see: code paths
// that run did not take (errors, attribute changes), and the properties a page script cannot wrap
// (`location`, `top`: `location` is used only as the base-URL fallback where there is no document).
// No host-page queries, storage, cookies, parent/opener windows, DOM walking out of its element,
// string evaluation, or requests of its own (the image comes from `src`, the model from the engine loader)
// but the one file its `tuned-prompt` attribute names (tuned-prompt-source.ts, its only fetch).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const pageSide = [
  ...readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => resolve(here, f)),
  resolve(here, '../../core/src/worker/client.ts'),
  resolve(here, '../../core/src/worker/protocol.ts'),
];

const FORBIDDEN: [RegExp, string][] = [
  [/document\.(cookie|body|documentElement|forms|links|images|scripts|title|referrer|domain|head)\b/, 'reads the host document'],
  [/\b(querySelector(All)?|getElementById|getElementsBy\w+|elementFromPoint)\s*\(/, 'queries the host DOM'],
  [/\b(localStorage|sessionStorage|indexedDB|cookieStore)\b/, 'reads host storage'],
  [/\b(window\.)?(parent|top|opener|frameElement)\s*[.[]/, 'reaches another window'],
  [/\b(parentElement|parentNode|previousSibling|nextSibling|previousElementSibling|nextElementSibling|closest|getRootNode|ownerDocument)\b/, 'walks out of its element'],
  [/\beval\s*\(|new Function\s*\(|innerHTML|outerHTML|insertAdjacentHTML|document\.write/, 'evaluates or injects markup'],
  [/\b(fetch|XMLHttpRequest|sendBeacon|WebSocket|EventSource)\b/, 'makes requests of its own'],
  [/navigator\.(userAgent|plugins|languages|clipboard|geolocation|mediaDevices)/, 'reads the user\'s environment'],
  [/(?<!\?\? globalThis\.)\blocation\b/, 'reads the host page\'s location (other than as the no-document fallback after `document?.baseURI ??`)'],
];

describe('widget host isolation (source policy)', () => {
  it.each(pageSide.map((f) => [f.slice(f.indexOf('packages/')), f]))('%s reads nothing from the host page', (_, file) => {
    const code = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, ''); // comments aside
    for (const [pattern, what] of FORBIDDEN) {
      if (what === 'makes requests of its own' && file.endsWith('tuned-prompt-source.ts')) continue;
      expect(code.match(pattern)?.[0], `${what}`).toBeUndefined();
    }
  });

  it('its one request is fetch(url) of the tuned-prompt attribute\'s file', () => {
    const code = readFileSync(resolve(here, 'tuned-prompt-source.ts'), 'utf8').replace(/\/\/.*$/gm, '');
    expect([...code.matchAll(/\b(fetch|XMLHttpRequest|sendBeacon|WebSocket|EventSource)\b/g)].map((m) => m[0])).toEqual(['fetch']);
    expect(code).toMatch(/fetch\(url\)/);
    const widget = readFileSync(resolve(here, 'glip-detector.ts'), 'utf8');
    expect(widget).toMatch(/sharedTunedPrompt\(absoluteTuned\)/);
    expect(widget).toMatch(/const tunedUrl = this\.getAttribute\('tuned-prompt'\)/);
  });

  it('reads only its own attributes: src, prompt, model, threshold, tuned-prompt, alt', () => {
    const code = readFileSync(resolve(here, 'glip-detector.ts'), 'utf8');
    const read = new Set([...code.matchAll(/getAttribute\('([\w-]+)'\)/g)].map((m) => m[1]));
    expect([...read].sort()).toEqual(['alt', 'model', 'prompt', 'src', 'threshold', 'tuned-prompt']);
    expect(code).not.toMatch(/\bdocument\.(?!createElement\b|baseURI\b)\w+/); // only creates elements and resolves URLs
  });
});
