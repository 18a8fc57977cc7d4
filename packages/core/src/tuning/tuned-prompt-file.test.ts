// The tuned-prompt file: f16 and f32 round trips, and every way a file can be unusable as a typed
// TunedPromptError with its reason (truncated, altered, another version, another model, another
// caption, another shape).
import { describe, expect, it } from 'vitest';
import { TunedPromptError } from '../errors.ts';
import { seededRandom } from '../kernels/check-util.ts';
import { f16ToF32, f32ToF16 } from '../weights/half-float.ts';
import type { TunedPromptFile } from './tuned-prompt-file.ts';
import { checkTunedCaption, checkTunedPromptFits, checkTunedPromptModel, decodeTunedPrompt, encodeTunedPrompt, tunedPromptOf } from './tuned-prompt-file.ts';

const T = 7;
const D = 16;
const SHA = 'ab'.repeat(32);

function sample(dtype: TunedPromptFile['dtype']): TunedPromptFile {
  const random = seededRandom(3);
  return {
    modelSha256: SHA,
    caption: 'red heart. blue crescent',
    phrases: [[0, 9], [11, 24]],
    tokenIds: [101, 2417, 2540, 1012, 2630, 17015, 102],
    shape: [T, D],
    offset: Float32Array.from({ length: T * D }, () => (random() - 0.5) * 0.3),
    dtype,
    training: { examples: 3, shots: 1, steps: 5, stepsRun: 5, learningRate: 0.05, weightDecay: 0.25, batchSize: 4 },
    finalLoss: 1.25,
    stopReason: 'completed',
  };
}

async function reason(bytes: Uint8Array): Promise<string> {
  try {
    await decodeTunedPrompt(bytes);
    return 'read';
  } catch (e) {
    if (e instanceof TunedPromptError) return e.reason;
    throw e;
  }
}

/** The file's JSON, changed by `edit`, as bytes again. */
async function edited(file: TunedPromptFile, edit: (json: Record<string, any>) => void): Promise<Uint8Array> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const json = JSON.parse(new TextDecoder().decode(await encodeTunedPrompt(file))) as Record<string, unknown>;
  edit(json);
  return new TextEncoder().encode(JSON.stringify(json));
}

describe('tuned-prompt file', () => {
  it('round-trips f32 exactly', async () => {
    const file = sample('f32');
    const read = await decodeTunedPrompt(await encodeTunedPrompt(file));
    expect(read).toEqual(file);
    expect(Array.from(read.offset)).toEqual(Array.from(file.offset));
  });

  it('keeps taughtPhrasesOnly: true, and refuses any other value of it', async () => {
    const file = { ...sample('f32'), training: { ...sample('f32').training, taughtPhrasesOnly: true as const } };
    expect((await decodeTunedPrompt(await encodeTunedPrompt(file))).training.taughtPhrasesOnly).toBe(true);
    expect((await decodeTunedPrompt(await encodeTunedPrompt(sample('f32')))).training).not.toHaveProperty('taughtPhrasesOnly');
    expect(await reason(await edited(file, (j) => (j.training.taughtPhrasesOnly = false)))).toBe('corrupt');
  });

  it('round-trips f16 to the nearest half (relative error ≤ 2^-11), everything else exactly', async () => {
    const file = sample('f16');
    const bytes = await encodeTunedPrompt(file);
    const read = await decodeTunedPrompt(bytes);
    expect({ ...read, offset: null }).toEqual({ ...file, offset: null });
    expect(Array.from(read.offset)).toEqual(Array.from(f16ToF32(f32ToF16(file.offset).half)));
    file.offset.forEach((v, i) => expect(Math.abs(read.offset[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
    expect(bytes.length).toBeLessThan((await encodeTunedPrompt(sample('f32'))).length);
    // written again from what was read: the same bytes (f16 values survive f16 exactly)
    expect(await encodeTunedPrompt(read)).toEqual(bytes);
  });

  it('is JSON a user can read: the fields on their own lines, the offset last', async () => {
    const text = new TextDecoder().decode(await encodeTunedPrompt(sample('f16')));
    const lines = text.trim().split('\n');
    expect(lines[1]).toBe('  "format": "webglip-tuned-prompt",');
    expect(lines[2]).toBe('  "version": 1,');
    expect(lines).toContain('  "caption": "red heart. blue crescent",');
    expect(lines.at(-2)).toMatch(/^ {2}"offset": \{"dtype":"f16","shape":\[7,16\],"sha256":"[0-9a-f]{64}","base64":"[A-Za-z0-9+/=]+"\}$/);
  });

  it('gives the prompt it grounds: the caption and its phrase spans', () => {
    expect(tunedPromptOf(sample('f32'))).toEqual({
      caption: 'red heart. blue crescent',
      phrases: [{ text: 'red heart', charSpan: [0, 9] }, { text: 'blue crescent', charSpan: [11, 24] }],
    });
  });

  it('rejects a truncated file, another kind of file and an altered offset as corrupt', async () => {
    const bytes = await encodeTunedPrompt(sample('f16'));
    expect(await reason(bytes.subarray(0, bytes.length - 40))).toBe('corrupt');
    expect(await reason(bytes.subarray(0, 10))).toBe('corrupt');
    expect(await reason(new Uint8Array(0))).toBe('corrupt');
    expect(await reason(new TextEncoder().encode('{"format":"webglip-weights","version":1}'))).toBe('corrupt');
    expect(await reason(new Uint8Array([0xff, 0xfe, 0x00]))).toBe('corrupt');
    const file = sample('f16');
    // one base64 character changed: same length, other bytes → the checksum fails
    expect(await reason(await edited(file, (j) => { j.offset.base64 = (j.offset.base64[0] === 'A' ? 'B' : 'A') + j.offset.base64.slice(1); }))).toBe('corrupt');
    // the data cut short (valid base64 of fewer bytes)
    expect(await reason(await edited(file, (j) => { j.offset.base64 = j.offset.base64.slice(0, 40); }))).toBe('corrupt');
    expect(await reason(await edited(file, (j) => { j.offset.base64 = '%%%%'; }))).toBe('corrupt');
    expect(await reason(await edited(file, (j) => { j.offset.dtype = 'bf16'; }))).toBe('corrupt');
    expect(await reason(await edited(file, (j) => { j.modelSha256 = 'not a hash'; }))).toBe('corrupt');
    expect(await reason(await edited(file, (j) => { j.phrases = [[0, 99]]; }))).toBe('corrupt');
    expect(await reason(await edited(file, (j) => { delete j.training.learningRate; }))).toBe('corrupt');
    expect(await reason(await edited(file, (j) => { j.finalLoss = 'low'; }))).toBe('corrupt');
    expect(await reason(await edited(file, () => {}))).toBe('read'); // the edit helper itself keeps a file readable
  });

  it('rejects another format version', async () => {
    const file = sample('f32');
    expect(await reason(await edited(file, (j) => { j.version = 2; }))).toBe('version');
    await expect(decodeTunedPrompt(await edited(file, (j) => { j.version = 2; }))).rejects.toThrow(/version 2; this webglip reads version 1: update webglip/);
    expect(await reason(await edited(file, (j) => { delete j.version; }))).toBe('version');
  });

  it('rejects an offset whose rows are not the caption\'s tokens', async () => {
    expect(await reason(await edited(sample('f32'), (j) => { j.tokenIds = j.tokenIds.slice(1); }))).toBe('shape');
  });

  it('checks the model, the caption and the shape it is used with', () => {
    const file = sample('f32');
    const fail = (check: () => void): string => {
      try {
        check();
        return 'fits';
      } catch (e) {
        if (e instanceof TunedPromptError) return e.reason;
        throw e;
      }
    };
    expect(fail(() => checkTunedPromptModel(file, SHA))).toBe('fits');
    expect(fail(() => checkTunedPromptModel(file, 'cd'.repeat(32)))).toBe('other-model');
    expect(fail(() => checkTunedPromptFits(file, { tokenIds: file.tokenIds, width: D }))).toBe('fits');
    expect(fail(() => checkTunedPromptFits(file, { tokenIds: [...file.tokenIds.slice(0, 3), 999, ...file.tokenIds.slice(4)], width: D }))).toBe('other-caption');
    expect(fail(() => checkTunedPromptFits(file, { tokenIds: file.tokenIds.slice(0, 6), width: D }))).toBe('other-caption');
    expect(fail(() => checkTunedPromptFits(file, { tokenIds: file.tokenIds, width: 768 }))).toBe('shape');
    expect(fail(() => checkTunedCaption(file, 'red heart. blue crescent', '--prompt'))).toBe('fits');
    expect(fail(() => checkTunedCaption(file, 'red heart . blue crescent', '--prompt'))).toBe('other-caption');
  });

  it('refuses to write what it could not read back', async () => {
    const file = sample('f16');
    await expect(encodeTunedPrompt({ ...file, offset: file.offset.slice(1) })).rejects.toThrow(RangeError);
    await expect(encodeTunedPrompt({ ...file, offset: file.offset.map((v, i) => (i === 3 ? Number.NaN : v)) })).rejects.toThrow(/non-finite/);
    await expect(encodeTunedPrompt({ ...file, offset: file.offset.map((v, i) => (i === 3 ? 1e6 : v)) })).rejects.toThrow(/write the file as f32/);
    await expect(encodeTunedPrompt({ ...sample('f32'), offset: file.offset.map((v, i) => (i === 3 ? 1e6 : v)) })).resolves.toBeInstanceOf(Uint8Array);
  });
});
