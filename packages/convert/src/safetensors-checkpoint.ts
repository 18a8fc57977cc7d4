// `.safetensors` input: the same lazily-read Checkpoint as a `.pth`, from the file's JSON header.
import { CheckpointFormatError, WeightsFormatError } from '@webglip/core/engine';
import { parseSafetensorsHeader } from '@webglip/core/engine';
import type { ByteSource } from './byte-source.ts';
import type { StoredTensor } from './stored-tensor.ts';
import type { Checkpoint } from './torch-checkpoint.ts';

export async function readSafetensorsCheckpoint(source: ByteSource): Promise<Checkpoint> {
  if (source.size < 8) throw new CheckpointFormatError('truncated', 'safetensors: shorter than its 8-byte header length');
  const len = new DataView((await source.read(0, 8)).slice().buffer).getBigUint64(0, true);
  if (len > BigInt(source.size - 8)) throw new CheckpointFormatError('truncated', 'safetensors: the header is longer than the file (truncated?)');
  const prefix = await source.read(0, 8 + Number(len));
  let header;
  try {
    header = parseSafetensorsHeader(prefix, source.size);
  } catch (cause) {
    const message = cause instanceof WeightsFormatError ? cause.message : 'safetensors: malformed header';
    throw new CheckpointFormatError('truncated', message, { cause });
  }
  const tensors = new Map<string, StoredTensor>();
  for (const e of header.entries.values()) {
    tensors.set(e.name, {
      name: e.name, dtype: e.dtype, shape: e.shape, byteLength: e.end - e.begin,
      read: () => source.read(header.dataStart + e.begin, e.end - e.begin),
    });
  }
  const extras = Object.keys(header.metadata).length ? [`metadata: ${JSON.stringify(header.metadata)}`] : [];
  return { tensors, extras };
}
