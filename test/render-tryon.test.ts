import { afterAll, describe, expect, it } from 'vitest';
import { fitGarment, tryOn } from '../src/render/tryon.ts';
import { PersonState } from '../src/render/state.ts';
import { TryonError } from '../src/errors.ts';
import { graphRegistry } from './helpers/graph-registry.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';
import { renderQuality } from './helpers/metrics.ts';
import type { RawImage } from '../src/types.ts';

const registry = graphRegistry();
afterAll(() => registry.release());

const px = (img: RawImage, x: number, y: number): number[] => {
  const i = (Math.round(y) * img.width + Math.round(x)) * img.channels;
  return Array.from(img.data.subarray(i, i + 3));
};

describe('tryOn on a drawn person', () => {
  it('returns the photo size, changes nothing outside the crop, and meets the quality bars', async () => {
    const person = stickPerson();
    const garment = flatGarment({ stripes: true });
    const r = await tryOn(person, garment, {}, registry);
    expect([r.image.width, r.image.height, r.image.channels]).toEqual([person.width, person.height, 3]);
    expect(Object.keys(r.timings)).toEqual(['bare', 'fit', 'texture', 'masks', 'warp', 'composite']);
    const { box } = fitGarment(new PersonState(person), garment);
    for (let y = 0; y < person.height; y += 3) {
      for (let x = 0; x < person.width; x += 3) {
        if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) continue;
        expect(px(r.image, x, y)).toEqual(px(person.image, x, y));
      }
    }
    const q = renderQuality(person.image, r);
    expect(q.ssimOutside).toBeGreaterThan(0.98);
    expect(q.deltaE).not.toBeNull();
    expect(q.deltaE!).toBeLessThan(10);
    // The garment is really there: red and dark-red stripes over the chest, not the blue tee.
    const chest = px(r.image, 120, 120);
    expect(chest[0]).toBeGreaterThan(chest[2] + 40);
  });

  it('replaces the old tee with skin where a tank does not reach, and keeps the trousers', async () => {
    const person = stickPerson();
    const r = await tryOn(person, flatGarment({ sleeve: 'none', color: [240, 240, 240] }), {}, registry);
    // The old tee's short sleeve on the upper arm (blue in the photo) is skin-coloured now.
    const s = person.height / 320;
    const before = px(person.image, 120 + 34 * s, 80 * s);
    const after = px(r.image, 120 + 34 * s, 80 * s);
    expect(before[2]).toBeGreaterThan(before[0]); // blue
    expect(after[0]).toBeGreaterThan(after[2]); // skin: more red than blue
    expect(r.layers!.exposedSkin.data.some((v) => v > 128)).toBe(true);
    // The trousers well below the hem are untouched.
    expect(px(r.image, 120 - 22 * s, 260 * s)).toEqual(px(person.image, 120 - 22 * s, 260 * s));
  });

  it('shows synthesised skin with a fine grain where the new garment does not reach, not a flat cut-out', async () => {
    const person = stickPerson();
    const r = await tryOn(person, flatGarment({ sleeve: 'none', color: [240, 240, 240] }), {}, registry);
    const bare = await new PersonState(person).bare('upper');
    const { box } = bare;
    const exposed = r.layers!.exposedSkin.data;
    // Synthesised skin of the bare body that the new garment leaves uncovered.
    const skinAt = (i: number): boolean => {
      const x = (i % person.width) - box.x;
      const y = Math.floor(i / person.width) - box.y;
      return x >= 0 && y >= 0 && x < box.width && y < box.height && bare.skin[y * box.width + x] > 0 && exposed[i] > 250 && r.layers!.garmentMask.data[i] === 0;
    };
    const lumAt = (i: number): number => 0.299 * r.image.data[i * 3] + 0.587 * r.image.data[i * 3 + 1] + 0.114 * r.image.data[i * 3 + 2];
    let diff = 0;
    let pairs = 0;
    let sum = 0;
    let soft = 0;
    for (let i = 0; i < exposed.length - 1; i++) {
      if (skinAt(i) && skinAt(i + 1) && (i + 1) % person.width !== 0) {
        diff += Math.abs(lumAt(i + 1) - lumAt(i));
        sum += lumAt(i);
        pairs++;
      } else if (exposed[i] > 30 && exposed[i] < 225) soft++;
    }
    expect(pairs).toBeGreaterThan(50);
    // Side by side, the skin's pixels differ (grain, shading), but only a little (no blotches).
    expect(diff / pairs).toBeGreaterThan(0.3);
    expect(diff / pairs).toBeLessThan(0.06 * (sum / pairs));
    // The uncovered area fades in over a few pixels at the new garment's outline.
    expect(soft).toBeGreaterThan(20);
  });

  it('keeps a forearm across the torso in front of the shirt', async () => {
    const person = stickPerson({ armAcross: true });
    const r = await tryOn(person, flatGarment({ sleeve: 'short', color: [30, 160, 40] }), {}, registry);
    // A point on the right forearm where it crosses the torso (between elbow and wrist).
    const s = person.height / 320;
    const p = { x: 120 + ((-38 + 8) / 2) * s + 4, y: ((120 + 125) / 2) * s };
    const c = px(r.image, p.x, p.y);
    expect(c[0]).toBeGreaterThan(c[1]); // skin, not the green shirt
  });

  it('keeps the top in front of new trousers', async () => {
    const person = stickPerson();
    const r = await tryOn(person, flatGarment({ category: 'lower', color: [200, 30, 30] }), {}, registry);
    const s = person.height / 320;
    expect(px(r.image, 120, 140 * s)).toEqual(px(person.image, 120, 140 * s)); // the blue tee
    const leg = px(r.image, 120 + 22 * s, 250 * s);
    expect(leg[0]).toBeGreaterThan(120); // the new red trousers
  });

  it('refuses a bad size and an analysis that does not fit its photo', async () => {
    const person = stickPerson();
    await expect(tryOn(person, flatGarment(), { size: 'XXL' as never }, registry)).rejects.toThrow(/Expected one of S, M, L, XL for size/);
    const broken = { ...person, parsing: { ...person.parsing, width: 10 } };
    const err = await tryOn(broken, flatGarment(), {}, registry).catch((e) => e);
    expect(err).toBeInstanceOf(TryonError);
    expect((err as TryonError).code).toBe('BAD_INPUT');
  });
});
