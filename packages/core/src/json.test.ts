import { describe, expect, it } from 'vitest';
import { parseJson } from './json.js';

describe('parseJson', () => {
  it('parses, dropping a BOM', () => {
    expect(parseJson('\ufeff{"a":1}', 'x.json')).toEqual({ a: 1 });
  });
  it('names file, line and column of a syntax error', () => {
    expect(() => parseJson('{\n  "a": 1,\n  "b": tru\n}', 'x.json')).toThrow(
      /^x\.json:3:\d+: invalid JSON: /,
    );
  });
  it('says a truncated file looks truncated', () => {
    expect(() => parseJson('{"runs": [', 'r.sarif', 'SARIF')).toThrow(
      /r\.sarif:1:\d+: invalid SARIF: .*truncated/,
    );
    expect(() => parseJson('', 'e.json')).toThrow(/the file is empty/);
  });
});
