import { describe, expect, it } from 'vitest';
import { sleeveCloth, sleeveMap } from '../src/fit/sleeve-map.ts';
import type { Correspondence } from '../src/fit/targets.ts';
import type { Point } from '../src/types.ts';

/** A tee's left sleeve: laid out flat in the garment photo, hanging down a bent arm on the body. */
function pairs(): Correspondence[] {
  const c = (name: string, garment: Point, body: Point): Correspondence => ({ name, garment, body });
  return [
    c('shoulder_left', { x: 600, y: 190 }, { x: 546, y: 324 }),
    c('armpit_left', { x: 605, y: 475 }, { x: 518, y: 454 }),
    c('elbow_left_out', { x: 675, y: 270 }, { x: 604, y: 602 }),
    c('elbow_left_in', { x: 618.5, y: 467.5 }, { x: 520, y: 610 }),
    c('cuff_left_out', { x: 750, y: 350 }, { x: 610, y: 807 }),
    c('cuff_left_in', { x: 632, y: 460 }, { x: 538, y: 811 }),
  ];
}

const near = (a: Point, b: Point, tol = 0.01): void => {
  expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThan(tol);
};

describe('sleeveMap', () => {
  it('takes every corner of the sleeve to its body point, both ways', () => {
    const inv = sleeveMap(pairs(), 'left', true);
    const fwd = sleeveMap(pairs(), 'left', false);
    for (const p of pairs()) {
      near(inv.map(p.body.x, p.body.y), p.garment);
      near(fwd.map(p.garment.x, p.garment.y), p.body);
    }
  });

  it('keeps the sleeve a tube: a point across the sleeve lands across it, and the round trip returns it', () => {
    const inv = sleeveMap(pairs(), 'left', true);
    const fwd = sleeveMap(pairs(), 'left', false);
    // Halfway down the forearm, a third of the way across.
    const b = { x: 0.5 * (604 + 610) + (1 / 3) * 0.5 * (520 + 538 - 604 - 610), y: 0.5 * (602 + 807) + (1 / 3) * 0.5 * (610 + 811 - 602 - 807) };
    const g = inv.map(b.x, b.y);
    near(fwd.map(g.x, g.y), b, 0.05);
    expect(inv.hold(b.x, b.y)).toBe(1);
  });

  it('lets go well off the sleeve: inside the torso past the seam, and far beside the arm', () => {
    const inv = sleeveMap(pairs(), 'left', true);
    expect(inv.hold(420, 420)).toBe(0);
    expect(inv.hold(900, 600)).toBe(0);
    // Just past the cuff the sleeve still holds (its hem's own edge decides there).
    expect(inv.hold(574, 830)).toBe(1);
  });

  it('refuses a sleeve without its seam and cuff points', () => {
    expect(() => sleeveMap(pairs().filter((p) => !p.name.startsWith('cuff')).slice(0, 2), 'left')).toThrow(/left sleeve/);
  });
});

describe('sleeveCloth', () => {
  it("is the garment's sleeve quad give or take a baggy sleeve's bulge, not a shoulder beyond the seam", () => {
    const cloth = sleeveCloth(pairs(), 'left');
    expect(cloth(670, 360)).toBe(true); // mid-sleeve
    expect(cloth(700, 300)).toBe(true); // bulging a little past the shoulder-to-cuff line
    expect(cloth(600, 40)).toBe(false); // well above the shoulder point
    expect(cloth(900, 700)).toBe(false);
  });
});
