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
});
