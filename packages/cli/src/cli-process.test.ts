// The CLI as a user runs it, in a child process: `pnpm webglip …` (exit codes, nothing from pnpm on a
// failure) and the backend choice against the machine's real WebGPU (Dawn, libvulkan.so.1, SwiftShader).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@webglip/core/testing';

const BIN = resolve(REPO_ROOT, 'packages/cli/bin/webglip.js');
const DETECT = ['detect', '--model', 'models/glip-nano', '--image', 'web/public/examples/scene.png', '--prompt', 'green hexagon', '--max-size', '64', '--threshold', '0.1'];
/** A Vulkan loader that finds no driver: what Dawn sees on a machine without a usable Vulkan. */
const NO_VULKAN_DRIVER = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/webglip-test-icd.json' };

function runCli(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(command, args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** stderr without Dawn's own warnings about the missing driver (printed by the native module, not by us). */
function ourLines(err: string): string[] {
  return err.split('\n').filter((l) => l.startsWith('webglip') || l.startsWith('backend:') || l.startsWith('phrases:') || /detection\(s\)/.test(l));
}

describe('pnpm --silent webglip …', () => {
  it('fails with the CLI\'s exit code and its one-line message only: no [ELIFECYCLE] from pnpm', () => {
    const missing = runCli('pnpm', ['--silent', 'webglip', 'detect', '--model', 'models/glip-nano', '--image', 'nope.png', '--prompt', 'dog']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('webglip detect: nope.png: no such file or folder\n');
    expect(missing.out).toBe('');
    const unknown = runCli('pnpm', ['--silent', 'webglip', 'detect', '--model', 'models/glip-nano', '--image', 'nope.png', '--prompt', 'dog', '--backend', 'foo']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('webglip detect: unknown --backend "foo" (expected one of: auto, webgpu, wasm, cpu)\n  (webglip detect --help lists the options)\n');
    const command = runCli('pnpm', ['--silent', 'webglip', 'detetc']);
    expect(command.code).toBe(2);
    expect(command.err).toMatch(/^webglip: unknown command "detetc"\n/);
    expect(`${missing.err}${unknown.err}${command.err}`).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  });
});

describe('--backend', () => {
  it('webgpu runs on WebGPU on a machine set up by tools/setup.sh (Dawn loads libvulkan.so.1, SwiftShader serves)', () => {
    const { code, out, err } = runCli('node', [BIN, ...DETECT, '--backend', 'webgpu']);
    expect(code, err).toBe(0);
    expect(ourLines(err)[0]).toBe('backend: webgpu');
    expect((JSON.parse(out) as { phrase: string }[]).map((d) => d.phrase)).toContain('green hexagon');
  });

  it('webgpu without a usable adapter fails with a BackendUnavailableError saying what to install: never a silent fallback', () => {
    const { code, out, err } = runCli('node', [BIN, ...DETECT, '--backend', 'webgpu'], NO_VULKAN_DRIVER);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(ourLines(err)).toEqual([expect.stringMatching(/^webglip detect: --backend webgpu was asked for but cannot be used here \(WebGPU is present but no GPU adapter is available\)\. .*tools\/setup\.sh installs Debian's libvulkan1/)]);
  });

  it('auto (the default) says what it chose and why (no adapter: WebAssembly)', () => {
    const quiet = runCli('node', [BIN, ...DETECT], NO_VULKAN_DRIVER);
    expect(quiet.code, quiet.err).toBe(0);
    expect(ourLines(quiet.err)[0]).toMatch(/^backend: wasm \(automatic choice: WebGPU offers no adapter, so WebAssembly/);
    expect((JSON.parse(quiet.out) as { phrase: string }[]).map((d) => d.phrase)).toContain('green hexagon');
    const verbose = runCli('node', [BIN, ...DETECT, '--backend', 'auto', '--verbose'], NO_VULKAN_DRIVER);
    expect(verbose.code, verbose.err).toBe(0);
    expect(ourLines(verbose.err)[0]).toMatch(/^backend: wasm \(automatic choice: WebGPU offers no adapter/);
    expect(verbose.out).toBe(quiet.out);
  });
});
