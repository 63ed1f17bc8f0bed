import { describe, expect, it } from 'vitest';
import { parseRunOptions } from '../src/cli/run.ts';
import { exitCodeFor, TryonError } from '../src/errors.ts';

const base = { person: 'me.jpg', output: 'out.jpg', size: 'M', quality: '90', device: 'auto', cache: true };

function refusal(o: Record<string, unknown>): TryonError {
  try {
    parseRunOptions({ ...base, ...o } as never);
  } catch (e) {
    return e as TryonError;
  }
  throw new Error('accepted');
}

describe('tryon run options', () => {
  it('needs nothing but a person and an output (built-in tee)', () => {
    const o = parseRunOptions(base);
    expect(o).toMatchObject({ person: 'me.jpg', garment: null, size: 'M', format: 'jpeg', quality: 90, pipeline: { device: 'auto' }, debug: null });
  });

  it('takes the format from the extension or --format, and sizes case-insensitively', () => {
    expect(parseRunOptions({ ...base, output: 'a.PNG' }).format).toBe('png');
    expect(parseRunOptions({ ...base, output: 'a.bin', format: 'webp' }).format).toBe('webp');
    expect(parseRunOptions({ ...base, size: 'xl' }).size).toBe('XL');
  });

  it('names the option and the accepted values, with exit code 2', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ size: 'XXL' }, /--size .*S, M, L, XL|S, M, L, XL for --size/],
      [{ type: 'hat' }, /for --type/],
      [{ garment: 'g.jpg', category: 'shoes' }, /upper, lower, dress for --category/],
      [{ category: 'upper' }, /--category needs --garment/],
      [{ garment: 'g.jpg', category: 'lower', type: 'tshirt' }, /lower type .* for --type/],
      [{ color: 'blue' }, /hex colour .* for --color/],
      [{ quality: '0' }, /between 1 and 100 for --quality/],
      [{ device: 'tpu' }, /for --device/],
      [{ output: 'out.gif' }, /Cannot tell the output format/],
      [{ person: undefined }, /for --person/],
    ];
    for (const [o, re] of cases) {
      const e = refusal(o);
      expect(e, JSON.stringify(o)).toBeInstanceOf(TryonError);
      expect(e.message, JSON.stringify(o)).toMatch(re);
      expect(exitCodeFor(e.code)).toBe(2);
    }
  });
});
