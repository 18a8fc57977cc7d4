// One entry point for checkpoint input: a PyTorch zip (`.pth`) or `.safetensors`, told apart by
// their first bytes.
import { CheckpointFormatError } from '@webglip/core/engine';
import type { ByteSource } from './byte-source.ts';
import { bytesSource } from './byte-source.ts';
import { readSafetensorsCheckpoint } from './safetensors-checkpoint.ts';
import type { Checkpoint } from './torch-checkpoint.ts';
import { readTorchCheckpoint } from './torch-checkpoint.ts';

export async function readCheckpoint(input: ByteSource | Uint8Array): Promise<Checkpoint> {
  const source = input instanceof Uint8Array ? bytesSource(input) : input;
  if (source.size === 0) throw new CheckpointFormatError('empty', 'the checkpoint file is empty (0 bytes)');
  const head = await source.read(0, Math.min(9, source.size));
  // safetensors: u64 header length, then a JSON object.
  if (head.length === 9 && head[8] === 0x7b && head[6] === 0 && head[7] === 0) return readSafetensorsCheckpoint(source);
  return readTorchCheckpoint(source);
}
