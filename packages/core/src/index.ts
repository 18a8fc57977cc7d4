// @webglip/core: GLIP grounded object detection on tfjs (WebGPU in browsers, Dawn or CPU in Node).
//
//   const { kind } = await createBackend('webgpu');          // falls back to wasm, then cpu
//   const detector = await GlipDetector.load('models/glip-t/');
//   const boxes = await detector.detect(imageData, 'person. dog. frisbee.', { threshold: 0.5 });
//   // → [{ box: [x0, y0, x1, y1], score, phrase: 'dog', charSpan: [8, 11], tokenIndices: [3] }, …]
//   detector.dispose();
export { detectChunked } from './chunked-detect.ts';
export type { ChunkDetector, ChunkedDetectOptions, ChunkedDetection, ChunkedDetectResult, DetectedChunk } from './chunked-detect.ts';
export { GlipDetector } from './detector.ts';
export { aboveThreshold, DEFAULT_THRESHOLD } from './grounding-detector.ts';
export type { GroundingDetector, PromptPhrases } from './grounding-detector.ts';
export { GlipClient } from './worker/client.ts';
export type { ClientLoadOptions, ImageHandle, ImageInput } from './worker/client.ts';
export type { ChunkedDetectReply, ChunkProgress, DetectResult, DetectTimings, EngineInfo, PromptInfo, Vocabulary } from './worker/protocol.ts';
export type { Detection, DetectOptions, DetectorCounters, DetectorLoadOptions, EncodedImageInfo, PromptOffset, TunedPrompt, TuneOptions, TuneProgress, TuningBox, TuningExample } from './detector.ts';
export * from './errors.ts';
export type { GlipConfig } from './config.ts';
export type { PixelImage } from './image/preprocess.ts';
export { createBackend } from './runtime/device.ts';
export type { BackendKind, BackendSelection } from './runtime/device.ts';
export { encodePrompt, MAX_QUERY_LEN } from './text/encode-prompt.ts';
export type { DroppedPhrase, EncodedPrompt, GroundedPhrase } from './text/encode-prompt.ts';
export { categoryQuery, cleanCategoryName, QUERY_SEPARATOR } from './text/category-query.ts';
export { chunkPrompt, DEFAULT_NAMES_PER_CHUNK, splitChunk, wholeChunk } from './text/prompt-chunks.ts';
export type { PromptChunk } from './text/prompt-chunks.ts';
export { captionPrompt, categoryPrompt, parsePrompt, toPrompt } from './text/prompt.ts';
export type { CharSpan, Phrase, Prompt, PromptInput } from './text/prompt.ts';
export { BertTokenizer } from './text/tokenizer.ts';
export type { Encoding } from './text/tokenizer.ts';
export { checkTunedCaption, checkTunedPromptFits, checkTunedPromptModel, decodeTunedPrompt, encodeTunedPrompt, TUNED_PROMPT_FORMAT, TUNED_PROMPT_VERSION, tunedPromptFileOf, tunedPromptOf } from './tuning/tuned-prompt-file.ts';
export type { OffsetDtype, TunedPromptFile, TunedPromptTarget, TuningSettings } from './tuning/tuned-prompt-file.ts';
export type { LoadProgress } from './weights/load-model.ts';
export { urlModelFiles } from './weights/model-files.ts';
export { modelSha256 } from './weights/model-identity.ts';
export type { ModelFiles } from './weights/model-files.ts';
