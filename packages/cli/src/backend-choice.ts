// `--backend`: `auto` (the default) is core's choice (WebGPU on a real GPU, wasm on a software adapter,
// then the first of webgpu → wasm → cpu that works) and says why and when it fell back; a backend named
// explicitly is that backend or a BackendUnavailableError, never a fallback.
import { GlipError } from '@webglip/core/engine';
import type { BackendKind, BackendSelection } from '@webglip/core/engine';
import { createBackend } from '@webglip/core/engine';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The backend asked for with `--backend` cannot be initialised here. */
export class BackendUnavailableError extends GlipError {
  override name = 'BackendUnavailableError';

  constructor(readonly backend: BackendKind, reason: string) {
    super('backend-unavailable', `--backend ${backend} was asked for but cannot be used here (${reason}). `
      + (backend === 'webgpu'
        ? 'WebGPU in Node needs Dawn to load libvulkan.so.1 and a Vulkan driver: tools/setup.sh installs Debian\'s libvulkan1 and chromium, whose SwiftShader driver serves when there is no GPU. '
        : '')
      + 'Or choose another --backend (auto takes the first that works).');
  }
}

/** One line for stderr: the backend in use and why; for `auto`, whether it fell back (with the reasons when `verbose`). */
export function describeSelection(selection: BackendSelection, verbose: boolean): string {
  if (selection.requested !== 'auto') return `backend: ${selection.kind}`;
  const why = selection.reason.split('; fell back from ')[0].replace(/^auto: /, '');
  if (selection.fallbackReasons.length === 0) return `backend: ${selection.kind} (automatic choice: ${why})`;
  const skipped = selection.fallbackReasons.map((r) => r.slice(0, r.indexOf(':'))).join(', ');
  return `backend: ${selection.kind} (automatic choice: ${why}; fell back: ${verbose ? selection.fallbackReasons.join('; ') : `${skipped} unavailable, --verbose says why`})`;
}

/** Activates the backend `choice` names (see the file comment). */
export async function activateBackend(choice: BackendChoice): Promise<BackendSelection> {
  const selection = await createBackend(choice);
  if (choice !== 'auto' && selection.kind !== choice) {
    const reason = selection.fallbackReasons[0] ?? `got ${selection.kind}`;
    throw new BackendUnavailableError(choice, reason.slice(reason.indexOf(':') + 1).trim());
  }
  return selection;
}
