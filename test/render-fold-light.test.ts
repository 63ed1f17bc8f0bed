import { describe, expect, it } from 'vitest';
import type { BareBody } from '../src/bare/index.ts';
import { foldCrop, foldLight } from '../src/render/fold-light.ts';
import type { PersonAnalysis } from '../src/types.ts';

/**
 * A 200x200 photo: an old top (light grey cloth, a soft fold darkening towards the right, and a
 * black printed bar across its chest) over a box; the bare body's old-garment plane marks it.
 */
function scene(): { person: PersonAnalysis; bare: BareBody } {
  const W = 200;
  const H = 200;
  const data = new Uint8Array(W * H * 3).fill(240);
  const old = new Uint8Array(W * H);
  for (let y = 40; y < 160; y++) {
    for (let x = 40; x < 160; x++) {
      old[y * W + x] = 1;
      const fold = 200 - (x - 40) * 0.4; // 200 at the left edge to 152 at the right
      const print = y >= 90 && y < 100 && x >= 70 && x < 130;
      const v = print ? 20 : fold;
      data.fill(Math.round(v), (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  const person = { width: W, height: H, image: { data, width: W, height: H, channels: 3 } } as unknown as PersonAnalysis;
  const bare = { box: { x: 0, y: 0, width: W, height: H }, old } as unknown as BareBody;
  return { person, bare };
}

const lum = (d: Uint8Array, W: number, x: number, y: number): number => d[(y * W + x) * 3];

describe('foldLight and foldCrop', () => {
  it("takes the old garment's print out of the light the new garment reads, and keeps its folds", () => {
    const { person, bare } = scene();
    const light = foldLight(person, bare, 200);
    const out = { data: foldCrop(person, bare, light, { x: 0, y: 0, width: 200, height: 200 }) };
    // Where the print was: the cloth's own light there (its fold at that column), not black.
    expect(Math.abs(lum(out.data, 200, 100, 95) - (200 - 60 * 0.4))).toBeLessThan(6);
    // The fold's darkening across the garment stays.
    expect(lum(out.data, 200, 50, 60) - lum(out.data, 200, 150, 60)).toBeGreaterThan(30);
    // Outside the old garment: the photo itself.
    expect(lum(out.data, 200, 10, 10)).toBe(240);
    expect(Array.from(person.image.data.subarray((95 * 200 + 100) * 3, (95 * 200 + 100) * 3 + 3))).toEqual([20, 20, 20]);
    // A crop reads the same light at the same photo pixels.
    const crop = foldCrop(person, bare, light, { x: 90, y: 85, width: 30, height: 20 });
    expect(crop[(10 * 30 + 10) * 3]).toBe(lum(out.data, 200, 100, 95));
    expect(crop[0]).toBe(lum(out.data, 200, 90, 85));
  });
});
