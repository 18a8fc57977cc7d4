// Peak memory of converting a GLIP-T-sized checkpoint (make one with make-glipt-checkpoint.py).
//   pnpm exec tsx tools/bench/convert-memory.ts /tmp/glipt.pth [--dtype f16] [--shard-mb 64]
// Prints file size, wall time, peak RSS (process.resourceUsage().maxRSS) and the ratio peak/size; the
// converter streams tensor by tensor, so the ratio should stay well under 2.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpointFile } from '@webglip/convert/node.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dtype: { type: 'string', default: 'f32' }, 'shard-mb': { type: 'string', default: '64' } },
});
if (positionals.length !== 1 || (values.dtype !== 'f32' && values.dtype !== 'f16')) {
  console.error('usage: tsx tools/bench/convert-memory.ts CHECKPOINT.pth [--dtype f32|f16] [--shard-mb N]');
  process.exit(2);
}
const input = positionals[0];
const size = (await stat(input)).size;
const work = await mkdtemp(join(tmpdir(), 'webglip-bench-'));
const baseline = process.resourceUsage().maxRSS * 1024;
const started = performance.now();
try {
  const report = await convertCheckpointFile(input, join(work, 'out'), { dtype: values.dtype, shardBytes: Number(values['shard-mb']) * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({
    input, inputMB: +(size / 1e6).toFixed(1), dtype: values.dtype, shards: report.manifest.shards.length,
    parameters: report.manifest.totalParameters, seconds: +seconds.toFixed(1),
    peakRssMB: +(peak / 1e6).toFixed(1), baselineRssMB: +(baseline / 1e6).toFixed(1), peakOverInput: +(peak / size).toFixed(3),
  }, null, 2));
} finally {
  await rm(work, { recursive: true, force: true });
}
