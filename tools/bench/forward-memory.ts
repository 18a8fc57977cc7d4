// Peak tensor memory of one GLIP-T forward pass (preprocessing → Swin → FPN → BERT → VLDyHead tower →
// heads) at any input size, without computing it: the pass is recorded in tfjs-webgpu's compile-only
// mode, where every kernel still allocates its outputs and the engine counts their bytes exactly as
// in a real run, but nothing is dispatched (so 800×1333 fits SwiftShader's time). The peak is the
// largest live-tensor byte count after any kernel, what `tf.profile` reports as `peakBytes`. Weights
// are zero tensors of glip-t-keys.json's shapes (their values do not change the memory).
//   pnpm exec tsx --import ./packages/core/src/runtime/node-wgsl.ts tools/bench/forward-memory.ts [--side 800] [--width 1333] [--prompt-tokens 12]
// (--side: the shorter image side the model resizes to; --width: the image width, default 4:3.)
// Prints one JSON object. Post-processing (a few MB) is not included: it reads results back.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

await import('@webglip/core/node-gpu');
await import('@webglip/core/node-hooks');
const tf = await import('@tensorflow/tfjs');
const { glipTConfig } = await import('@webglip/core/engine');
const { headOutputs, imageFeatures, languageFeatures } = await import('@webglip/core/engine');
const { runSteps } = await import('@webglip/core/engine');
const { createBackend } = await import('@webglip/core/engine');
const { watchPeakTensorBytes } = await import('@webglip/core/engine');
const { FIXTURES_DIR } = await import('@webglip/core/testing');
const { WeightMap } = await import('@webglip/core/engine');

const { values } = parseArgs({ args: process.argv.slice(2), options: { side: { type: 'string', default: '800' }, width: { type: 'string' }, 'prompt-tokens': { type: 'string', default: '12' } } });
const side = Number(values.side);
const tokens = Number(values['prompt-tokens']);
const base = glipTConfig();
const config = { ...base, input: { ...base.input, minSizeTest: side, maxSizeTest: Math.round((side * base.input.maxSizeTest) / base.input.minSizeTest) } };

const selection = await createBackend('webgpu');
if (selection.kind !== 'webgpu') throw new Error(`no webgpu: ${selection.fallbackReasons.join('; ')}`);
tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);

const list = JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'glip-t-keys.json'), 'utf8')) as { keys: Record<string, { shape: number[]; kind: string }> };
const tensors = new Map<string, import('@tensorflow/tfjs').Tensor>();
for (const [key, { shape, kind }] of Object.entries(list.keys)) {
  if (kind === 'parameter') tensors.set(key.replace(/^module\./, ''), tf.zeros(shape));
}
const weights = new WeightMap(tensors);
const weightBytes = tf.memory().numBytes;

let inputShape: number[] = [];
const watch = watchPeakTensorBytes(); // the live-byte count after every kernel (tf.profile's peakBytes), without profiling

const height = side;
const width = values.width === undefined ? Math.round((side * 4) / 3) : Number(values.width);
const image = { data: new Uint8Array(height * width * 4), width, height };
const inputIds = Int32Array.from([101, ...Array.from({ length: tokens - 2 }, () => 2000), 102]); // [CLS] … [SEP]
const model = { config, weights };
const shapes = tf.tidy(() => {
  const features = runSteps(imageFeatures(model, image, null), (stage) => {
    if (stage.name === 'image.input') inputShape = stage.tensors[0].shape;
  });
  const head = runSteps(headOutputs(model, features, runSteps(languageFeatures(model, inputIds))));
  return { levels: features.levels.map((l) => l.shape), logits: head.logits.map((l) => l.shape) };
});
const peak = watch.peak();
watch.stop();
const mb = (b: number) => Math.round(b / 1e5) / 10;
console.log(JSON.stringify({
  model: 'GLIP-T shapes (glip-t-keys.json), fused kernels on',
  input: `${inputShape[1]}×${inputShape[2]} (image ${height}×${width})`,
  promptTokens: tokens,
  visualTokens: shapes.levels.reduce((a, s) => a + s[1] * s[2], 0),
  weightsMB: mb(weightBytes),
  peakMB: mb(peak),
  peakActivationsMB: mb(peak - weightBytes),
}, null, 2));
process.exit(0); // the compile-only pipelines are still compiling; they are not needed
