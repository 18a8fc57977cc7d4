// `webglip convert <in.pth|in.safetensors> <out-dir> [--dtype f32|f16] [--shard-mb N] [--config official.yaml]
//  [--bert-config bert.json] [--drop-buffers]`: an official GLIP checkpoint → a web model folder.
import { readFile } from 'node:fs/promises';
import { convertCheckpointFile } from '@webglip/convert/node.ts';
import { bertConfigFromHf, parseConfigJson } from '@webglip/core/engine';
import type { BertConfig, GlipConfig } from '@webglip/core/engine';
import { ConfigError } from '@webglip/core/engine';
import { numberIn, oneOf, parseCommandArgs, UsageError } from '../args.ts';
import { reportCommandError } from '../command-errors.ts';

const USAGE = `usage: webglip convert <checkpoint.pth|.safetensors> <out-dir> [options]
  --dtype f32|f16     float dtype of the written parameters (default f32; integer buffers stay integer)
  --shard-mb N        target shard size in MiB (default 64)
  --config FILE       the official GLIP YAML (overrides over glip_Swin_T_O365_GoldG.yaml, or a full dump),
                      or a webglip config.json (*.json); default: GLIP-T
  --bert-config FILE  BERT dims as Hugging Face config.json keys (or a fixture case.json); needed for the
                      head count when BERT is not bert-base (hidden 768); other dims come from the weights
  --drop-buffers      leave out the buffers the engine recomputes (anchors, relative_position_index, position_ids)`;

/** BERT dims from an HF-style config.json, or from a fixture case.json (`config.bert_config_shim`). */
async function readBertConfig(path: string): Promise<Partial<BertConfig>> {
  const text = await readFile(path, 'utf8');
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`--bert-config ${path}: not valid JSON (${(cause as Error).message})`);
  }
  const shim = (obj as { config?: { bert_config_shim?: unknown } } | null)?.config?.bert_config_shim;
  return bertConfigFromHf(shim ?? obj);
}

/** --config: a *.json is our typed config.json, anything else the official YAML. */
async function readConfig(path: string | undefined): Promise<{ officialYaml?: string; config?: GlipConfig }> {
  if (path === undefined) return {};
  const text = await readFile(path, 'utf8');
  if (!path.endsWith('.json')) return { officialYaml: text };
  try {
    return { config: parseConfigJson(JSON.parse(text)) };
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`--config ${path}: not valid JSON (${(cause as Error).message})`);
  }
}

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs('convert', argv, {
      dtype: { type: 'string', default: 'f32' },
      'shard-mb': { type: 'string', default: '64' },
      config: { type: 'string' },
      'bert-config': { type: 'string' },
      'drop-buffers': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    }, true);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 2) {
      throw new UsageError('convert', positionals.length < 2
        ? `missing ${positionals.length === 0 ? 'the checkpoint and the output folder' : 'the output folder'} (webglip convert <checkpoint.pth> <out-dir>)`
        : `expected a checkpoint and an output folder, got ${positionals.length} paths: ${positionals.join(' ')}`);
    }
    const dtype = oneOf('convert', 'dtype', values.dtype, ['f32', 'f16'] as const);
    const shardMb = numberIn('convert', 'shard-mb', values['shard-mb'], 1 / 1024, 1024 * 1024);
    const [input, outDir] = positionals;
    const started = performance.now();
    const report = await convertCheckpointFile(input, outDir, {
      dtype,
      shardBytes: Math.round(shardMb * 1024 * 1024),
      ...(await readConfig(values.config)),
      bertConfig: values['bert-config'] ? await readBertConfig(values['bert-config']) : undefined,
      dropRecomputableBuffers: values['drop-buffers'],
    });
    const m = report.manifest;
    const bytes = m.shards.reduce((a, s) => a + s.bytes, 0);
    console.log(`wrote ${outDir}: ${m.shards.length} shard(s), ${(bytes / 1e6).toFixed(1)} MB, ${m.totalParameters.toLocaleString('en-US')} parameters (${m.dtype}), in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (report.strippedPrefix) console.log(`stripped "module." from ${report.strippedPrefix} names`);
    if (report.extras.length) console.log(`also in the file, not converted (the "model" entry is used):\n  ${report.extras.join('\n  ')}`);
    if (report.droppedBuffers.length) console.log(`dropped ${report.droppedBuffers.length} buffers the engine recomputes`);
    if (report.absentBuffers.length) console.log(`absent from the checkpoint (recomputed by the engine): ${report.absentBuffers.join(', ')}`);
    for (const w of report.warnings) console.log(`warning: ${w}`);
    return 0;
  } catch (e) {
    return reportCommandError('convert', e);
  }
}
