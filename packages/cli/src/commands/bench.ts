// `webglip bench`: the benchmark harness of tools/bench (same flags as `pnpm bench`; `--help` lists them).
export async function run(argv: string[]): Promise<number> {
  const { main } = await import('../../../../tools/bench/bench.ts');
  return main(argv);
}
