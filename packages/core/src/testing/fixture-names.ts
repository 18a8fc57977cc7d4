// Where each tensor of a forward-pass stage (model/forward-pass.ts) lies in an official fixture
// (../shared/fixtures/case-a: names as its README lists them), so parity checks read the pass's own
// stages instead of re-running parts of it. Shared by the tests and `webglip parity`.
import type { Stage } from '../model/forward-steps.ts';

export const FPN_LEVELS = ['p3', 'p4', 'p5', 'p6', 'p7'] as const;

/** A captured tensor's name and whether it is stored NCHW (our tensors are NHWC). */
export interface FixtureName {
  name: string;
  nchw: boolean;
}

const levels = (prefix: string): FixtureName[] => FPN_LEVELS.map((l) => ({ name: `${prefix}.${l}`, nchw: true }));

/**
 * The fixture name of each of the stage's tensors, in order (null where the fixture has no such
 * tensor); `run` is the case run (`prompt`, `free`) that prefixes the prompt-dependent names, `body`
 * the visual body (config.backbone.kind), whose stages the fixtures name after the official modules.
 */
export function fixtureNames(stage: Stage, run: string, body: 'swin' | 'resnet' = 'swin'): (FixtureName | null)[] {
  const { name } = stage;
  if (name === 'image.input') return [{ name, nchw: true }];
  if (name === 'backbone.body') {
    return stage.tensors.map((_, i) => ({ name: body === 'swin' ? `backbone.swin.stage${i + 2}` : `backbone.body.layer${i + 1}`, nchw: true }));
  }
  if (name === 'backbone.fpn') return levels(name);
  if (name.startsWith('lang.bert.')) return [{ name: `${run}/${name}`, nchw: false }];
  if (name === 'head') {
    return [
      ...FPN_LEVELS.map((l) => ({ name: `${run}/head.dot_product_logits.${l}`, nchw: false })),
      ...levels(`${run}/head.bbox_reg`),
      ...levels(`${run}/head.centerness`),
      ...FPN_LEVELS.map((l) => ({ name: `anchors.${l}`, nchw: false })),
    ];
  }
  const dyhead = /^dyhead\.(\d+)\.(fuse|bert|dyconv)$/.exec(name);
  if (dyhead === null) return stage.tensors.map(() => null);
  const prefix = `${run}/${name}`;
  const lang = { name: `${prefix}.lang_hidden`, nchw: false };
  if (dyhead[2] === 'fuse') return [...levels(`${prefix}.visual`), lang];
  if (dyhead[2] === 'bert') return [lang];
  return levels(`${prefix}.visual`);
}
