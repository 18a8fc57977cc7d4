// Runs a CLI command in-process with console.log / console.error captured instead of printed (tests only).
import { vi } from 'vitest';

export async function quietRun(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
  const error = vi.spyOn(console, 'error').mockImplementation((m: string) => void err.push(m));
  try {
    return { code: await run(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
