// @webglip/core/node: Node-only helpers — a converted model folder on disk as the detector's files.
export * from './weights/model-folder-node.ts';
