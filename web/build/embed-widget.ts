// Vite plugin: the <glip-detector> widget, built beforehand by its own config
// (packages/widget/vite.config.ts, into `widgetDir`), becomes part of the site at `/widget/` — emitted
// into the demo's build, so the service worker generated at the end of that build precaches it and
// widget pages work offline like the demo. `pnpm build` builds the widget first.
import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { listFiles } from './serve-models.ts';

export function embedWidget(widgetDir: string): Plugin {
  return {
    name: 'webglip:embed-widget',
    apply: 'build',
    generateBundle() {
      if (!existsSync(`${widgetDir}/glip-detector.js`)) {
        this.error(`the widget is not built (${widgetDir}/glip-detector.js is missing): run \`vite build -c packages/widget/vite.config.ts\` first, as \`pnpm build\` does`);
      }
      for (const path of listFiles(widgetDir)) {
        this.emitFile({ type: 'asset', fileName: ['widget', ...relative(widgetDir, path).split(sep)].join('/'), source: readFileSync(path) });
      }
    },
  };
}
