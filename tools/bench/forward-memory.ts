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
await import('@webglip/core/text/node-wasm-loader.ts');
const tf = await import('@tensorflow/tfjs');
const { glipTConfig } = await import('@webglip/core/config.ts');
const { preprocessImage } = await import('@webglip/core/image/preprocess.ts');
const { bertEncoder } = await import('@webglip/core/model/bert.ts');
const { fpn } = await import('@webglip/core/model/fpn.ts');
const { runGlipHead } = await import('@webglip/core/model/glip.ts');
const { swinBackbone } = await import('@webglip/core/model/swin.ts');
const { createBackend } = await import('@webglip/core/runtime/device.ts');
const { FIXTURES_DIR } = await import('@webglip/core/testing/fixtures.ts');
const { WeightMap } = await import('@webglip/core/weights/weight-map.ts');

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

// The engine's live-byte count after every kernel (tf.profile's totalBytesSnapshot), without profiling.
const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown; state: { numBytes: number } };
const runKernelFunc = engine.runKernelFunc.bind(engine);
let peak = 0;
engine.runKernelFunc = (...args: unknown[]) => {
  const out = runKernelFunc(...args);
  peak = Math.max(peak, engine.state.numBytes);
  return out;
};

const height = side;
const width = values.width === undefined ? Math.round((side * 4) / 3) : Number(values.width);
const image = { data: new Uint8Array(height * width * 4), width, height };
const inputIds = Int32Array.from([101, ...Array.from({ length: tokens - 2 }, () => 2000), 102]); // [CLS] … [SEP]
const shapes = tf.tidy(() => {
  const pre = preprocessImage(image, config.input, { maxSize: null });
  const stages = swinBackbone(pre.input, weights, config.swin);
  const levels = fpn(stages[1], stages[2], stages[3], weights);
  const { hidden } = bertEncoder(inputIds, weights, config.bert);
  const head = runGlipHead(weights, config, levels, hidden, tf.ones([tokens]) as import('@tensorflow/tfjs').Tensor1D);
  return { input: pre.input.shape, levels: levels.map((l) => l.shape), logits: head.logits.map((l) => l.shape) };
});
const mb = (b: number) => Math.round(b / 1e5) / 10;
console.log(JSON.stringify({
  model: 'GLIP-T shapes (glip-t-keys.json), fused kernels on',
  input: `${shapes.input[1]}×${shapes.input[2]} (image ${height}×${width})`,
  promptTokens: tokens,
  visualTokens: shapes.levels.reduce((a, s) => a + s[1] * s[2], 0),
  weightsMB: mb(weightBytes),
  peakMB: mb(peak),
  peakActivationsMB: mb(peak - weightBytes),
}, null, 2));
process.exit(0); // the compile-only pipelines are still compiling; they are not needed
