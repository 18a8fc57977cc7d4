// @webglip/core/testing: fixtures and helpers for the tests, `webglip parity` and the bench (Node only).
export * from './backends.ts';
export * from './box-set-compare.ts';
export * from './case-weights.ts';
export * from './fixture-names.ts';
export * from './fixtures.ts';
export * from './fuzz.ts';
export * from './image-files.ts';
export * from './noise-image.ts';
export * from './random-model.ts';
export * from './stage-compare.ts';
export * from './test-tokenizer.ts';
export * from './tiny-model.ts';
