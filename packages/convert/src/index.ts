// @webglip/convert: official GLIP checkpoints (.pth zip + pickle, interpreted safely; or .safetensors)
// → web model folders. Runs in browsers and Node; Node file helpers are in `./node.ts`.
export type { ByteSource } from './byte-source.ts';
export { blobSource, bytesSource } from './byte-source.ts';
export type { StoredDtype, StoredTensor } from './stored-tensor.ts';
export type { Checkpoint } from './torch-checkpoint.ts';
export { readCheckpoint } from './read-checkpoint.ts';
export { checkpointWeightMap, readTensorValues, stripModulePrefix } from './checkpoint-weights.ts';
export type { ConvertOptions, ConvertReport, FolderSink } from './convert-checkpoint.ts';
export { convertCheckpoint, memorySink } from './convert-checkpoint.ts';
