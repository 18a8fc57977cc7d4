// The models this site ships (the repository's `models/` folder, copied into the build), and what the
// demo and teach pages share about picking one: `?model=<id>` (default glip-nano), `?backend=…`, and
// the probe that tells "not part of this site" from a failed load.
import type { BackendRequest } from '@webglip/core/client';

export interface ShippedModel {
  id: string;
  /** The model folder, relative to the page. */
  folder: string;
  /** What the picker says about it. */
  description: string;
}

/** Both are the real GLIP architecture, trained small on the generated scenes (tools/train). */
export const SHIPPED_MODELS: readonly ShippedModel[] = [
  { id: 'glip-nano', folder: 'models/glip-nano/', description: 'glip-nano: Swin-T body (as GLIP-T)' },
  { id: 'glip-cnn-nano', folder: 'models/glip-cnn-nano/', description: 'glip-cnn-nano: ResNet-50 body (as GLIP’s CNN configs)' },
];

/** The model `?model=` names, or glip-nano. */
export function requestedModel(search: string = location.search): ShippedModel {
  const id = new URLSearchParams(search).get('model');
  return SHIPPED_MODELS.find((m) => m.id === id) ?? SHIPPED_MODELS[0];
}

/** `?backend=webgpu|wasm|cpu|auto` overrides the engine's choice (default auto). */
export function requestedBackend(search: string = location.search): BackendRequest | undefined {
  const value = new URLSearchParams(search).get('backend');
  return value === 'webgpu' || value === 'wasm' || value === 'cpu' || value === 'auto' ? value : undefined;
}

/** Whether the model's folder is part of this site (its config.json answers). */
export async function isOnSite(model: ShippedModel): Promise<boolean> {
  const probe = await fetch(new URL(`${model.folder}config.json`, document.baseURI)).catch(() => null);
  return probe?.ok === true;
}
