// Vite plugin: the repository's `models/` folder is part of the site at `/models/` — served from disk
// by the dev server and copied into the build (so `vite preview`, the service worker's precache and a
// static host all see the shipped weights). Model files never pass through the bundler.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.safetensors': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

/** Every file under `dir`, recursively (none when it does not exist). */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Serves `modelsDir` at `/models/` in dev and emits its files as `models/**` assets in the build. */
export function serveModels(modelsDir: string): Plugin {
  return {
    name: 'webglip:serve-models',
    configureServer(server) {
      server.middlewares.use('/models', (req, res, next) => {
        const path = join(modelsDir, decodeURIComponent((req.url ?? '/').split('?')[0]));
        if (!path.startsWith(modelsDir + sep) || !existsSync(path) || !statSync(path).isFile()) return next();
        res.setHeader('Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', statSync(path).size);
        createReadStream(path).pipe(res);
      });
    },
    generateBundle() {
      for (const path of listFiles(modelsDir)) {
        const fileName = ['models', ...relative(modelsDir, path).split(sep)].join('/');
        this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
      }
    },
  };
}
