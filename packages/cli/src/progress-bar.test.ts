import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress-bar.ts';

function stream(isTTY: boolean, columns = 60) {
  const written: string[] = [];
  return { written, isTTY, columns, write: (text: string) => written.push(text) };
}

describe('ProgressBar', () => {
  it('on a terminal redraws one line in place, fills in proportion, fits the width, and ends it with a newline', () => {
    const s = stream(true);
    const bar = new ProgressBar(4, s);
    bar.update(1, 'a.png');
    bar.update(4, 'a-very-long-file-name-that-does-not-fit-in-the-line.png');
    bar.finish();
    expect(s.written).toHaveLength(3);
    expect(s.written[0]).toMatch(/^\r\[#{6}\.{18}\] 1\/4 \d+\.\d s\/image {2}a\.png +$/);
    expect(s.written[1]).toMatch(/^\r\[#{24}\] 4\/4 /);
    expect(s.written[1].endsWith('…')).toBe(true);
    for (const line of s.written.slice(0, 2)) expect(line.length).toBe(1 + 59);
    expect(s.written[2]).toBe('\n');
  });

  it('elsewhere (a log, CI) writes one line per update and nothing on finish', () => {
    const s = stream(false);
    const bar = new ProgressBar(2, s);
    bar.update(1, 'a.png: 3 detection(s)');
    bar.update(2, 'b.png: 0 detection(s)');
    bar.finish();
    expect(s.written).toEqual(['[1/2] a.png: 3 detection(s)\n', '[2/2] b.png: 0 detection(s)\n']);
  });

  it('counts in its unit and keeps logged lines above the bar on a terminal', () => {
    const s = stream(true, 70);
    const bar = new ProgressBar(3, s, 'step');
    bar.log('before the bar');
    bar.update(1, 'loss 1.5');
    bar.log('step 1: loss 1.5');
    bar.finish();
    expect(s.written[0]).toBe('before the bar\n');
    expect(s.written[1]).toMatch(/^\r\[#{8}\.{16}\] 1\/3 \d+\.\d s\/step {2}loss 1\.5 *$/);
    expect(s.written[2]).toBe(`\r${'step 1: loss 1.5'.padEnd(69)}\n${s.written[1]}`);
    expect(s.written[3]).toBe('\n');
    const log = stream(false);
    new ProgressBar(3, log, 'step').log('step 1: loss 1.5');
    expect(log.written).toEqual(['step 1: loss 1.5\n']);
  });
});
