// @webglip/core/client: what a page needs to use the engine in a Web Worker (GlipClient), without
// loading tfjs into the page: the client and its protocol's types, the threshold rule, typed errors,
// image decoding, the prompt parser and GLIP's category query, label layout and colours, the weights cache's name, model configs,
// tuned-prompt files (read, checked, written).
export * from './config.ts';
export * from './errors.ts';
export * from './grounding-detector.ts';
export * from './image/decode.ts';
export * from './render/label-layout.ts';
export * from './render/palette.ts';
export * from './text/category-query.ts';
export * from './text/prompt.ts';
export * from './tuning/tuned-prompt-file.ts';
export { CACHE_NAME } from './weights/shard-cache.ts';
export { modelSha256 } from './weights/model-identity.ts';
export * from './worker/client.ts';
export * from './worker/protocol.ts';
