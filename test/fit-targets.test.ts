import { afterAll, describe, expect, it } from 'vitest';
import { Body } from '../src/fit/body.ts';
import { SIZE_EASE, sizeEase } from '../src/fit/sizes.ts';
import { completeUpper, planFit } from '../src/fit/targets.ts';
import { fitGarment, tryOn } from '../src/render/tryon.ts';
import { PersonState } from '../src/render/state.ts';
import { SIZES, type Point } from '../src/types.ts';
import { graphRegistry } from './helpers/graph-registry.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';

const registry = graphRegistry();
afterAll(() => registry.release());

const find = (pairs: { name: string; body: Point }[], name: string): Point => {
  const c = pairs.find((p) => p.name === name);
  if (!c) throw new Error(`no ${name} in ${pairs.map((p) => p.name).join(', ')}`);
  return c.body;
};
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

describe('body targets', () => {
  const person = stickPerson();
  const body = new Body(person);

  it('puts the shoulders above the shoulder joints, the neckline above them, the hem near the hips', () => {
    const plan = planFit(body, flatGarment(), sizeEase('M'));
    const sh = find(plan.main, 'shoulder_left');
    expect(sh.y).toBeLessThan(body.shoulder.left.y);
    expect(Math.abs(sh.x - body.shoulder.left.x)).toBeLessThan(0.3 * body.shoulderWidth);
    // Wearer's left is image right here.
    expect(find(plan.main, 'shoulder_left').x).toBeGreaterThan(find(plan.main, 'shoulder_right').x);
    expect(find(plan.main, 'neckline_left').y).toBeLessThan(sh.y + 1);
    const hem = find(plan.main, 'top_hem_left');
    expect(Math.abs(hem.y - body.hipMid.y)).toBeLessThan(0.25 * body.torsoLength);
  });

  it('ends short sleeves on the upper arm and long ones at the wrist, following a raised arm', () => {
    const short = planFit(body, flatGarment({ sleeve: 'short' }), sizeEase('M'));
    const cuff = find(short.sleeves.find((s) => s.side === 'left')!.pairs, 'cuff_left_out');
    const el = body.elbow.left;
    const sh = body.shoulder.left;
    expect(cuff.y).toBeGreaterThan(sh.y);
    expect(cuff.y).toBeLessThan(el.y);

    const raised = new Body(stickPerson({ raiseLeftArm: true }));
    const long = planFit(raised, flatGarment({ sleeve: 'long' }), sizeEase('M'));
    const sleeve = long.sleeves.find((s) => s.side === 'left')!;
    const mid = { x: (find(sleeve.pairs, 'cuff_left_out').x + find(sleeve.pairs, 'cuff_left_in').x) / 2, y: (find(sleeve.pairs, 'cuff_left_out').y + find(sleeve.pairs, 'cuff_left_in').y) / 2 };
    expect(dist(mid, raised.wrist.left)).toBeLessThan(0.2 * dist(raised.shoulder.left, raised.wrist.left));
    // The raised sleeve goes through the elbow, not down the torso.
    expect(find(sleeve.pairs, 'elbow_left_out').y).toBeLessThan(raised.shoulder.left.y);
  });

  it('places trousers from the waist to the ankles and a dress hemline at the knees or below', () => {
    const lower = planFit(body, flatGarment({ category: 'lower' }), sizeEase('M'));
    expect(find(lower.main, 'waistband_left').y).toBeLessThan(body.hipMid.y);
    expect(Math.abs(find(lower.main, 'bottom_left_out').y - body.ankle.left.y)).toBeLessThan(0.1 * body.torsoLength);
    const dress = planFit(body, flatGarment({ category: 'dress' }), sizeEase('M'));
    expect(find(dress.main, 'hemline_left').y).toBeGreaterThan(body.knee.left.y - 0.25 * (body.knee.left.y - body.hip.left.y));
  });

  it('mirrors a sleeve the landmark search put inside the body', () => {
    const g = flatGarment({ sleeve: 'short' });
    // Move the right cuff onto the body's side, as a bad landmark would.
    g.landmarks = { ...g.landmarks, cuff_right_out: { x: 92, y: 300 }, cuff_right_in: { x: 100, y: 310 } };
    const lm = completeUpper(g);
    expect(lm.cuff_right_out.x).toBeCloseTo(2 * 150 - g.landmarks.cuff_left_out!.x, 6);
  });

  it('widens the body targets with the size', () => {
    const half = (size: 'S' | 'M' | 'L' | 'XL'): number => {
      const p = planFit(body, flatGarment(), sizeEase(size));
      return dist(find(p.main, 'armpit_left'), find(p.main, 'armpit_right'));
    };
    expect(half('S')).toBeLessThan(half('M'));
    expect(half('M')).toBeLessThan(half('L'));
    expect(half('L')).toBeLessThan(half('XL'));
    expect(Object.keys(SIZE_EASE)).toEqual([...SIZES]);
  });

  it('refuses an unknown size with the option named', () => {
    expect(() => sizeEase('XXL')).toThrow(/Expected one of S, M, L, XL for size but received "XXL"/);
  });
});

describe('sizes on the same person', () => {
  it('S < M < L < XL gives growing garment area (upper and lower)', async () => {
    const person = stickPerson();
    for (const garment of [flatGarment({ stripes: true }), flatGarment({ category: 'lower' })]) {
      const areas: number[] = [];
      for (const size of SIZES) {
        const r = await tryOn(person, garment, { size }, registry);
        areas.push(r.layers!.garmentMask.data.reduce((a, v) => a + v, 0) / 255);
      }
      for (let i = 1; i < areas.length; i++) expect(areas[i]).toBeGreaterThan(areas[i - 1] * 1.01);
    }
  });

  it('crops to the garment: the box is smaller than the photo', () => {
    const f = fitGarment(new PersonState(stickPerson({ width: 480, height: 640 })), flatGarment(), 'M');
    expect(f.box.width * f.box.height).toBeLessThan(0.6 * 480 * 640);
  });
});
