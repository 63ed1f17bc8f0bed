/**
 * The warp grid the render graph upsamples bilinearly: a sleeve's map is far (transparent)
 * away from its arm, and no grid cell may blend a mapped point with the far value while still
 * partly allowed (the pixels between would sample garment from anywhere: a dark staircase).
 */
import { describe, expect, it } from 'vitest';
import { Body } from '../src/fit/body.ts';
import { sizeEase } from '../src/fit/sizes.ts';
import { planFit } from '../src/fit/targets.ts';
import { warpGrid } from '../src/fit/warp.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';

describe('warpGrid', () => {
  it("gives the far points beside a sleeve the sleeve's coordinates, never the far value next to an allowed point", () => {
    const person = stickPerson();
    const garment = flatGarment({ sleeve: 'short' });
    const plan = planFit(new Body(person), garment, sizeEase('M'));
    expect(plan.sleeves.length).toBe(2);
    const grid = warpGrid(plan, garment, { x: 0, y: 0, width: person.width, height: person.height });
    const { rows, cols, data } = grid;
    const plane = rows * cols;
    let allowed = 0;
    let far = 0;
    for (const m of [1, 2]) {
      const xs = data.subarray(3 * m * plane, (3 * m + 1) * plane);
      const allow = data.subarray((3 * m + 2) * plane, (3 * m + 3) * plane);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          if (xs[i * cols + j] === -4) far++;
          if (allow[i * cols + j] <= 0) continue;
          allowed++;
          for (let a = Math.max(0, i - 1); a <= Math.min(rows - 1, i + 1); a++) {
            for (let b = Math.max(0, j - 1); b <= Math.min(cols - 1, j + 1); b++) expect(xs[a * cols + b]).not.toBe(-4);
          }
        }
      }
    }
    // The sleeves are mapped somewhere, and far everywhere else.
    expect(allowed).toBeGreaterThan(10);
    expect(far).toBeGreaterThan(allowed);
  });
});
