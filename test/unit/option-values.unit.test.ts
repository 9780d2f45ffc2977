import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError, integer, option, optionValues, text } from '../../bookshelf/adapters/cli/options.js';

const size = option({ flag: 'size', type: 'number', default: 5, describe: 'size', parse: integer(1, 1000) });
const dir = option({ flag: 'state-dir', type: 'string', describe: 'dir', parse: text() });

describe("an entry's own options", () => {
  it('are typed by their specs', () => {
    const values = optionValues([size, dir], { size: 7, 'state-dir': '/tmp/x' });
    expectTypeOf(values).toEqualTypeOf<{ size: number; 'state-dir': string | undefined }>();
    expect(values).toEqual({ size: 7, 'state-dir': '/tmp/x' });
  });

  it('take the default when a value is missing, and undefined where there is none', () =>
    expect(optionValues([size, dir], {})).toEqual({ size: 5, 'state-dir': undefined }));

  it('refuse a value their spec does not accept, naming the flag', () => {
    expect(() => optionValues([size], { size: 'many' })).toThrow(ConfigError);
    expect(() => optionValues([size], { size: 'many' })).toThrow(/^--size must be an integer/);
  });
});
