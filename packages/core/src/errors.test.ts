import { describe, expect, it } from 'vitest';
import * as errors from './errors.ts';

describe('error classes', () => {
  it('each sets its own export name as `name` (minified builds rename classes)', () => {
    const classes = Object.entries(errors) as [string, new (...args: unknown[]) => Error][];
    expect(classes.length).toBeGreaterThan(10);
    for (const [exportName, cls] of classes) {
      // Arrays stand in for every constructor argument (strings, lists); only `name` matters here.
      const error = new cls([], [], []);
      expect(error).toBeInstanceOf(errors.GlipError);
      expect(error.name, exportName).toBe(exportName);
    }
  });
});
