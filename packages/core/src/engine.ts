// @webglip/core/engine: the engine's building blocks, for the sibling packages (the converter, the CLI)
// and the repository's tools (bench, parity): the config, weights and their files, text, image and
// post-processing stages, the forward pass, backends and the seam to tfjs internals, the fused kernels.
// Applications use the package's main entry (`@webglip/core`: GlipDetector, GlipClient) instead.
export * from './config.ts';
export * from './errors.ts';
export * from './detector.ts';
export * from './chunked-detect.ts';
export * from './image/decode.ts';
export * from './image/preprocess.ts';
export * from './image/target-size.ts';
export * from './kernels/bi-attention.ts';
export * from './kernels/conv2d.ts';
export * from './kernels/deform-conv.ts';
export * from './kernels/f16-pairs.ts';
export * from './kernels/fused-switch.ts';
export * from './kernels/group-norm.ts';
export * from './kernels/layer-norm.ts';
export * from './kernels/linear-f16.ts';
export * from './kernels/token-linear.ts';
export * from './kernels/window-attention.ts';
export * from './model/forward-pass.ts';
export * from './model/forward-steps.ts';
export * from './model/fusion.ts';
export * from './postprocess/atss.ts';
export * from './postprocess/candidates.ts';
export * from './postprocess/detection.ts';
export * from './postprocess/phrase-scores.ts';
export * from './render/label-layout.ts';
export * from './render/palette.ts';
export * from './runtime/backend-choice.ts';
export * from './runtime/compile-only.ts';
export * from './runtime/device.ts';
export * from './runtime/tfjs-internals.ts';
export * from './text/category-query.ts';
export * from './text/encode-prompt.ts';
export * from './text/prompt.ts';
export * from './text/prompt-warning.ts';
export * from './text/tokenizer.ts';
export * from './tuning/prompt-tuning.ts';
export * from './tuning/tuned-prompt-file.ts';
export * from './weights/expected-keys.ts';
export * from './weights/half-float.ts';
export * from './weights/manifest.ts';
export * from './weights/model-identity.ts';
export * from './weights/safetensors.ts';
export * from './weights/safetensors-writer.ts';
export * from './weights/weight-map.ts';
