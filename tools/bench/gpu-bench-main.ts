// `pnpm bench:gpu` entry point (gpu-bench.ts).
import { main } from './gpu-bench.ts';

process.exitCode = await main(process.argv.slice(2));
