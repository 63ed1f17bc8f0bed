/**
 * The CPU render path's reused buffers and shortcuts give the same bytes as the plain calls:
 * LayersBuffer (clears only what its last warp wrote) over crops of different sizes, the
 * image-only composite, the TypeScript engine's kept output buffers, and smoothPool against the
 * steps it fuses (pool after two 3x3 smoothings).
 */
import { describe, expect, it } from 'vitest';
import { JsEngine } from '../src/engines/js/engine.ts';
import { compositeCpu } from '../src/engines/js/composite.ts';
import { poolCells, smooth3, smoothPool, type Grid } from '../src/engines/js/filters.ts';
import { LayersBuffer, warpCpu } from '../src/engines/js/warp.ts';
import { renderCpu, renderInputs, type RenderInputs } from './helpers/render-inputs.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';

let built: Promise<RenderInputs[]> | undefined;
const pairs = (): Promise<RenderInputs[]> => (built ??= build());
const build = async (): Promise<RenderInputs[]> => [
  await renderInputs(stickPerson({ width: 260, height: 300, raiseLeftArm: true }), flatGarment({ sleeve: 'long', stripes: true }), 8),
  await renderInputs(stickPerson({ width: 200, height: 280 }), flatGarment({ sleeve: 'short' }), 4),
  await renderInputs(stickPerson({ width: 241, height: 317, armAcross: true }), flatGarment({ category: 'dress' }), 16),
];

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

describe('CPU render path buffers', () => {
  it('LayersBuffer gives warpCpu\'s layers whatever it warped before, larger or smaller', async () => {
    const rs = await pairs();
    const buf = new LayersBuffer();
    // Large, small, large again, and the first once more: every span left by the last must be cleared.
    for (const r of [rs[0], rs[1], rs[2], rs[1], rs[0]]) {
      const want = warpCpu(r.tex, r.grid, r.box.height, r.box.width);
      const got = buf.warp(r.tex, r.grid, r.box.height, r.box.width);
      expect(got.length).toBe(want.length);
      expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength))).toBe(true);
      expect(sum(want)).toBeGreaterThan(100);
    }
  });

  it('JsEngine, image only or not, matches the plain calls pair after pair', async () => {
    const rs = await pairs();
    const engine = new JsEngine();
    for (const imageOnly of [false, true, false]) {
      for (const r of [rs[1], rs[0], rs[2]]) {
        const want = renderCpu(r).composite;
        const crop = { texture: r.tex, grid: r.grid, photo: r.photo, bare: r.bare, masks: r.masks, means: r.means, pool: r.pool, width: r.box.width, height: r.box.height, imageOnly };
        const got = engine.renderCrop(crop, () => {});
        expect(Array.from(got.image)).toEqual(Array.from(want.image));
        if (imageOnly) {
          expect(got.alpha.length + got.exposed.length + got.warped.length).toBe(0);
        } else {
          for (const k of ['alpha', 'exposed', 'warped'] as const) expect(Array.from(got[k]), k).toEqual(Array.from(want[k]));
        }
        expect(sum(want.alpha)).toBeGreaterThan(255 * 100);
      }
    }
  });

  it('an image-only composite leaves the other outputs empty and the image the same', async () => {
    const [r] = await pairs();
    const layers = warpCpu(r.tex, r.grid, r.box.height, r.box.width);
    const input = { layers, photo: r.photo, bare: r.bare, masks: r.masks, means: r.means, width: r.box.width, height: r.box.height, pool: r.pool };
    const full = compositeCpu(input);
    const only = compositeCpu({ ...input, imageOnly: true });
    expect(Array.from(only.image)).toEqual(Array.from(full.image));
    expect(only.alpha.length).toBe(0);
  });
});

describe('smoothPool', () => {
  it('equals poolCells(smooth3(smooth3(g)), k) on awkward sizes', () => {
    let s = 7;
    const rand = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    for (const [rows, cols, k] of [[1, 1, 4], [1, 9, 2], [13, 7, 4], [37, 53, 16], [5, 3, 32], [64, 48, 8]]) {
      const g: Grid = { data: Float64Array.from({ length: 2 * rows * cols }, rand), channels: 2, rows, cols };
      const want = poolCells(smooth3(smooth3({ ...g, data: g.data.slice() })), k);
      const got = smoothPool(g, k);
      expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
      for (let i = 0; i < want.data.length; i++) expect(Math.abs(got.data[i] - want.data[i]), `${rows}x${cols} k ${k} at ${i}`).toBeLessThan(1e-12);
    }
  });
});
