import { parseManifest } from '@webglip/core/engine';
import { configFromOfficialYaml } from '@webglip/core/engine';
import { loadModelFolder } from '@webglip/convert/node.ts';
import { CASE_A_DIR, REPO_ROOT } from '@webglip/core/testing';
import { SafetensorsFile } from '@webglip/core/engine';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './convert.ts';
import { quietRun as quietRunCommand } from '../testing/quiet-run.ts';

// Digests over (name, JSON shape, dtype, bytes) of every state_dict tensor of case-a's model.pth in file
// order, computed once with Debian's torch 1.13 from `torch.load(f)['model']`: as stored (names with
// `module.`), and with float tensors `.half()`-ed (names without `module.`).
const CASE_A_TORCH_DIGEST = '9d341a1525e68aa1bd229eab7213ac489f3a7ee6c371e3675522058347d52801';
const CASE_A_TORCH_HALF_DIGEST = 'a2c5d0d0867e6dc20a78ac004e97472bfb20e3ba1bc689d2f2808e8709067d67';

const MODEL = resolve(CASE_A_DIR, 'model.pth');
const YAML = resolve(CASE_A_DIR, 'config.yaml');
const CASE_JSON = resolve(CASE_A_DIR, 'case.json');
const work = mkdtempSync(join(tmpdir(), 'webglip-convert-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Digest of a model folder's tensors in shard order (the converter keeps checkpoint order). */
function folderDigest(dir: string, namePrefix: string): string {
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const h = createHash('sha256');
  for (const shard of manifest.shards) {
    const bytes = readFileSync(join(dir, shard.file));
    expect(bytes.length).toBe(shard.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(shard.sha256);
    const file = new SafetensorsFile(bytes);
    for (const name of file.names()) {
      const e = file.entry(name);
      h.update(namePrefix + name).update(JSON.stringify(e.shape)).update(e.dtype)
        .update(bytes.subarray(file.header.dataStart + e.begin, file.header.dataStart + e.end));
    }
  }
  return h.digest('hex');
}

const quietRun = (argv: string[]) => quietRunCommand(run, argv);

describe('webglip convert', () => {
  it('converts case-a into a folder whose tensors are bit-identical to the checkpoint', async () => {
    const out = join(work, 'case-a-f32');
    const { code, out: stdout } = await quietRun([MODEL, out, '--config', YAML, '--bert-config', CASE_JSON, '--shard-mb', '4']);
    expect(code).toBe(0);
    expect(stdout).toContain('4,008,730 parameters');
    expect(readdirSync(out).sort()).toEqual(['config.json', 'manifest.json',
      ...[1, 2, 3, 4, 5].map((i) => `model-0000${i}-of-00005.safetensors`), 'tokenizer.json']);
    expect(folderDigest(out, 'module.')).toBe(CASE_A_TORCH_DIGEST);
    const bert = { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 128 };
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual(configFromOfficialYaml(readFileSync(YAML, 'utf8'), bert));
    expect(readFileSync(join(out, 'tokenizer.json'))).toEqual(readFileSync(resolve(REPO_ROOT, 'models/bert-base-uncased/tokenizer.json')));

    // …and loads back through the Node model-folder loader.
    tf.setBackend('cpu');
    const model = await loadModelFolder(out);
    expect(model.weights.names()).toHaveLength(314);
    expect(model.config.bert.numHeads).toBe(2);
    const w = model.weights.get('backbone.body.patch_embed.proj.weight');
    expect(w.shape).toEqual([24, 3, 4, 4]);
    expect(Array.from(w.dataSync().slice(0, 3))).toEqual([-0.016125185415148735, -0.07167660444974899, 0.023537661880254745]);
    model.weights.dispose();
  });

  it('accepts a webglip config.json as --config (re-conversion into the same folder layout)', async () => {
    const configJson = join(work, 'case-a-f32', 'config.json');
    const out = join(work, 'from-config-json');
    expect((await quietRun([MODEL, out, '--config', configJson, '--shard-mb', '4'])).code).toBe(0);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(readFileSync(join(work, 'case-a-f32', 'manifest.json'), 'utf8'));
  });

  it('--dtype f16 writes what torch .half() gives (int buffers stay int64)', async () => {
    const out = join(work, 'case-a-f16');
    expect((await quietRun([MODEL, out, '--config', YAML, '--bert-config', CASE_JSON, '--dtype', 'f16'])).code).toBe(0);
    expect(folderDigest(out, '')).toBe(CASE_A_TORCH_HALF_DIGEST);
  });

  it('reports a checkpoint of another config by name and writes nothing', async () => {
    const out = join(work, 'wrong-config');
    const { code, err } = await quietRun([MODEL, out, '--bert-config', CASE_JSON]); // GLIP-T expected
    expect(code).toBe(1);
    expect(err).toMatch(/does not match the model config/);
    expect(err).toMatch(/wrong shape \(\d+\): backbone\.body\.patch_embed\.proj\.weight \[24,3,4,4\] \(expected \[96,3,4,4\]\)/);
    expect(err).toMatch(/missing \(\d+\): .*backbone\.body\.layers\.2\.blocks\.2\.norm1\.weight/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('lists mismatched shapes when only a dimension differs', async () => {
    const yaml = join(work, 'window6.yaml');
    writeFileSync(yaml, `${readFileSync(YAML, 'utf8')}\n`.replace('WINDOW_SIZE: 7', 'WINDOW_SIZE: 6'));
    const { code, err } = await quietRun([MODEL, join(work, 'w6'), '--config', yaml, '--bert-config', CASE_JSON]);
    expect(code).toBe(1);
    expect(err).toMatch(/wrong shape \(16\): backbone\.body\.layers\.0\.blocks\.0\.attn\.relative_position_bias_table \[169,1\] \(expected \[121,1\]\)/);
    expect(err).not.toMatch(/missing|unexpected/);
  });

  it('asks for the BERT head count when BERT is not bert-base', async () => {
    const { code, err } = await quietRun([MODEL, join(work, 'no-heads'), '--config', YAML]);
    expect(code).toBe(1);
    expect(err).toMatch(/hidden size 32.*--bert-config/);
  });

  it.each([
    ['empty', new Uint8Array(0), /empty/],
    ['not a zip', new TextEncoder().encode('<html>404</html>'), /neither a PyTorch zip checkpoint nor/],
    ['truncated', readFileSync(MODEL).subarray(0, 5_000_000), /truncated/],
  ])('rejects a %s file without leaving output', async (label, bytes, message) => {
    const input = join(work, `${label}.pth`);
    writeFileSync(input, bytes);
    const out = join(work, `out-${label}`);
    const { code, err } = await quietRun([input, out, '--config', YAML, '--bert-config', CASE_JSON]);
    expect(code).toBe(1);
    expect(err).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('partial'))).toEqual([]);
  });
  it('names every command-line mistake and missing file in one line, without errno or a usage dump', async () => {
    const cases: [string[], number, RegExp][] = [
      [[], 2, /missing the checkpoint and the output folder/],
      [[MODEL], 2, /missing the output folder/],
      [[MODEL, join(work, 'x'), 'extra'], 2, /expected a checkpoint and an output folder, got 3 paths/],
      [[MODEL, join(work, 'x'), '--dtype', 'bf16'], 2, /unknown --dtype "bf16" \(expected one of: f32, f16\)/],
      [[MODEL, join(work, 'x'), '--shard-mb', 'big'], 2, /--shard-mb "big" is not a number/],
      [[MODEL, join(work, 'x'), '--shards', '4'], 2, /unknown option --shards/],
      [[MODEL, join(work, 'x'), '--config'], 2, /option --config needs a value/],
      [[join(work, 'nope.pth'), join(work, 'x')], 1, /nope\.pth: no such file or folder/],
      [[MODEL, join(work, 'x'), '--config', join(work, 'nope.yaml')], 1, /nope\.yaml: no such file or folder/],
      [[MODEL, join(work, 'x'), '--bert-config', join(work, 'nope.json')], 1, /nope\.json: no such file or folder/],
    ];
    for (const [argv, code, message] of cases) {
      const result = await quietRun(argv);
      expect(result.code, argv.join(' ')).toBe(code);
      expect(result.err, argv.join(' ')).toMatch(message);
      expect(result.err, argv.join(' ')).toMatch(/^webglip convert: /);
      expect(result.err, argv.join(' ')).not.toMatch(/ENOENT|errno|usage:/);
    }
    expect(existsSync(join(work, 'x'))).toBe(false);
  });
});
