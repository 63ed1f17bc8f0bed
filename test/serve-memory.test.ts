/**
 * What the server keeps in memory is bounded by bytes, not only by count (issue #16): the
 * pipeline's analysis caches (config.memoryCache), whose drops reach the render workers, and
 * the result store (test/serve-units.test.ts). `npm run load` shows the RSS plateau.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import { Tryon } from '../src/pipeline.ts';
import { analysisBytes } from '../src/analysis-cache.ts';
import { RenderPool } from '../src/threads/pool.ts';

let tryon: Tryon;
/** Two templates fit (~3.1 MB each), three do not. */
const BUDGET = 7_000_000;

beforeAll(async () => {
  tryon = await Tryon.create({ cacheDir: null, concurrency: 1, render: { threads: 1 }, memoryCache: { garmentBytes: BUDGET } });
});

afterAll(async () => {
  await tryon?.close();
  vi.restoreAllMocks();
});

describe('the analysis caches', () => {
  it('keep garments within their byte budget, the least recently used dropped first, and tell the render workers', async () => {
    const forget = vi.spyOn(RenderPool.prototype, 'forget');
    const a = await tryon.template('tshirt', '#111111');
    const b = await tryon.template('tshirt', '#222222');
    expect(analysisBytes(a)).toBeGreaterThan(BUDGET / 3);
    expect(tryon.cachedBytes.garments).toBe(analysisBytes(a) + analysisBytes(b));
    // Touch a: b is now the least recently used.
    expect((await tryon.template('tshirt', '#111111')) === a).toBe(true);
    const c = await tryon.template('tshirt', '#333333');
    expect(tryon.cachedBytes.garments).toBe(analysisBytes(a) + analysisBytes(c));
    expect(tryon.cachedBytes.garments).toBeLessThanOrEqual(BUDGET);
    expect(forget.mock.calls.some(([dropped]) => dropped === b)).toBe(true);
    expect((await tryon.template('tshirt', '#111111')) === a).toBe(true);
    // b was dropped: asked again, it is made again.
    // (Identity compared as a boolean: a failing toBe deep-compares megabytes for its hint.)
    expect((await tryon.template('tshirt', '#222222')) === b).toBe(false);
  });

  it('hand out, but do not keep, an analysis bigger than the whole budget; callers at the same time share it', async () => {
    const small = await Tryon.create({ cacheDir: null, concurrency: 1, render: { threads: 0 }, memoryCache: { garmentBytes: 1_000_000 } });
    try {
      const [x, y] = await Promise.all([small.template('dress', '#445566'), small.template('dress', '#445566')]);
      expect(x === y).toBe(true);
      expect(small.cachedBytes.garments).toBe(0);
      expect((await small.template('dress', '#445566')) === x).toBe(false);
    } finally {
      await small.close();
    }
  });

  it('refuse a budget that is not a byte count, naming it', () => {
    expect(() => resolveConfig({ memoryCache: { personBytes: -1 } })).toThrow('Expected integer between 0 and 1099511627776 for memoryCache.personBytes but received -1 of type number');
    expect(resolveConfig().memoryCache).toEqual({ personBytes: 192 * 1024 * 1024, garmentBytes: 160 * 1024 * 1024 });
  });
});
