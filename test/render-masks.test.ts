/**
 * The mask planes kept in a PersonState (buildMasks) against the per-pixel definition (buildMasksDirect):
 * byte for byte whatever the neckline, the category, the crop, and whatever the state already
 * holds from earlier pairs of the same person.
 */
import { describe, expect, it } from 'vitest';
import { fitGarment } from '../src/render/tryon.ts';
import { PersonState } from '../src/render/state.ts';
import { buildMasks, buildMasksDirect, oldGarmentBox, type CropMasks } from '../src/render/masks.ts';
import { MASK, MASK_CHANNELS } from '../src/engines/contract.ts';
import { LABEL, type Box, type GarmentCategory, type PersonAnalysis } from '../src/types.ts';
import { flatGarment, stickPerson, type StickOptions } from './helpers/synthetic.ts';

/**
 * A drawn person with what photos have and the drawing lacks: sensor noise (for the skin
 * statistics and grain), an anti-aliased outline, a collar and print, and specks of "hair" and "face" on the
 * clothes and arms (the parsing's misreadings that the neckline decides about).
 */
function noisyPerson(options: StickOptions = {}): PersonAnalysis {
  const p = stickPerson(options);
  const { data } = p.image;
  // A light collar and a print on the chest: old top not of the top's colour, which only the
  // neckline's ramp replaces above the neckline.
  const s0 = p.height / 320;
  for (let i = 0; i < p.width * p.height; i++) {
    const y = Math.floor(i / p.width);
    const x = (i % p.width) - p.width / 2;
    if (p.parsing.data[i] === LABEL.upper_clothes && (y < 74 * s0 || (Math.abs(x) < 10 * s0 && y > 95 * s0 && y < 110 * s0))) data.set([225, 225, 215], i * 3);
  }
  for (let i = 0; i < data.length; i++) {
    const h = Math.imul(i ^ 0x5bd1e995, 2654435761) >>> 24;
    data[i] = Math.min(255, Math.max(0, data[i] + ((h % 13) - 6)));
  }
  const labels = p.parsing.data;
  // An anti-aliased person mask: partial at the outline.
  for (let i = p.width; i < labels.length - p.width; i++) {
    if (labels[i] !== LABEL.background && (labels[i - 1] === LABEL.background || labels[i + 1] === LABEL.background || labels[i - p.width] === LABEL.background)) p.mask.data[i] = 150;
  }
  const s = p.height / 320;
  const cx = p.width / 2;
  for (const [dx, dy, l] of [[-10, 100, LABEL.hair], [12, 130, LABEL.face], [0, 75, LABEL.hair], [5, 200, LABEL.hair], [-36, 110, LABEL.face]]) {
    const x = Math.round(cx + dx * s);
    const y = Math.round(dy * s);
    for (let yy = y; yy < y + 2; yy++) for (let xx = x; xx < x + 2; xx++) labels[yy * p.width + xx] = l;
  }
  return p;
}

/** A fresh analysis object with the same pixels (a fresh PersonState of it starts cold). */
const clone = (p: PersonAnalysis): PersonAnalysis => ({ ...p });

function expectSame(a: CropMasks, b: CropMasks, where: string): void {
  let diff = 0;
  const channels = new Set<number>();
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] !== b.data[i]) {
      diff++;
      channels.add(i % MASK_CHANNELS);
    }
  }
  expect(diff, `${where}: bytes differ in channels ${[...channels].join(',')}`).toBe(0);
  expect(a.means, where).toEqual(b.means);
  expect(a.skin, where).toEqual(b.skin);
}

const CATEGORIES: GarmentCategory[] = ['upper', 'lower', 'dress'];

function boxFor(person: PersonAnalysis, category: GarmentCategory): Box {
  return fitGarment(new PersonState(person), flatGarment({ width: person.width, height: person.height, category })).box;
}

describe('buildMasks (cached planes)', () => {
  it('equals the per-pixel definition for every category and neckline, warm cache or cold', () => {
    for (const options of [{}, { armAcross: true, broad: 14 }, { raiseLeftArm: true, width: 300, height: 400 }] as StickOptions[]) {
      const person = noisyPerson(options);
      const state = new PersonState(person);
      const s = person.height / 320;
      for (const category of CATEGORIES) {
        const box = boxFor(person, category);
        for (const neckY of [undefined, 62.5 * s, 105 * s]) {
          const where = `${JSON.stringify(options)} ${category} neckY ${neckY}`;
          const direct = buildMasksDirect(state, category, box, { neckY });
          expectSame(buildMasks(state, category, box, { neckY }), direct, where);
          // A cold cache (a fresh analysis) gives the same as the warm one.
          expectSame(buildMasks(new PersonState(clone(person)), category, box, { neckY }), direct, `${where}, cold`);
        }
      }
    }
  });

  it('is exact for crops reaching beyond the person, and for a crop inside the backdrop', () => {
    const person = noisyPerson();
    const state = new PersonState(person);
    const boxes: Box[] = [
      { x: 0, y: 0, width: person.width, height: person.height },
      { x: 3, y: 50, width: 101, height: 77 },
      { x: 0, y: 0, width: 20, height: 15 },
      { x: 10, y: 10, width: 0, height: 0 },
    ];
    for (const box of boxes) {
      for (const category of CATEGORIES) {
        expectSame(buildMasks(state, category, box, { neckY: 70 }), buildMasksDirect(state, category, box, { neckY: 70 }), `${category} ${JSON.stringify(box)}`);
      }
    }
    const whole = buildMasks(state, 'upper', boxes[0], { neckY: 70 });
    // The frame's corner is backdrop; the chest is old top to replace.
    expect(whole.data[MASK.background]).toBe(255);
    const chest = (Math.round(120 * (person.height / 320)) * person.width + person.width / 2) * MASK_CHANNELS;
    expect(whole.data[chest + MASK.old]).toBe(255);
  });

  it('changes with the neckline where it should, and a cache hit changes nothing', () => {
    const person = noisyPerson();
    const state = new PersonState(person);
    const box = boxFor(person, 'upper');
    const high = buildMasks(state, 'upper', box, { neckY: 55 });
    const bytes = state.planesBytes();
    expect(bytes).toBeGreaterThan(0);
    const low = buildMasks(state, 'upper', box, { neckY: 100 });
    // A lower neckline keeps more of the neck in front: the two differ, and each is exact.
    const occ = (m: CropMasks): number => m.data.reduce((a, v, i) => a + (i % MASK_CHANNELS === MASK.occluder && v ? 1 : 0), 0);
    expect(occ(low)).toBeGreaterThan(occ(high));
    expectSame(low, buildMasksDirect(state, 'upper', box, { neckY: 100 }), 'neckY 100 after 55');
    expectSame(buildMasks(state, 'upper', box, { neckY: 55 }), high, 'neckY 55 again');
    expect(state.planesBytes()).toBe(bytes);
  });

  it('keeps the categories apart', () => {
    const person = noisyPerson();
    const state = new PersonState(person);
    const box = { x: 0, y: 0, width: person.width, height: person.height };
    const upper = buildMasks(state, 'upper', box, { neckY: 70 });
    const bytesUpper = state.planesBytes();
    const lower = buildMasks(state, 'lower', box, { neckY: 70 });
    expect(state.planesBytes()).toBeGreaterThan(bytesUpper);
    // Lower: the old top stays in front and the trousers are replaced; upper: the reverse.
    const at = (m: CropMasks, y: number, c: number): number => m.data[(Math.round(y * (person.height / 320)) * person.width + person.width / 2) * MASK_CHANNELS + c];
    expect([at(upper, 120, MASK.old), at(upper, 120, MASK.occluder)]).toEqual([255, 0]);
    expect([at(lower, 120, MASK.old), at(lower, 120, MASK.occluder)]).toEqual([0, 255]);
    expect(at(lower, 170, MASK.old)).toBe(255);
    expectSame(lower, buildMasksDirect(state, 'lower', box, { neckY: 70 }), 'lower after upper');
    expectSame(buildMasks(state, 'dress', box, { neckY: 70 }), buildMasksDirect(state, 'dress', box, { neckY: 70 }), 'dress after both');
  });

  it('measures the materials and the visible skin as defined', () => {
    // On the drawn person every skin source is visible skin (the skin channel): the median of
    // its checkered samples and the materials' mean luminances follow from the channels.
    const person = noisyPerson();
    const state = new PersonState(person);
    const box = boxFor(person, 'upper');
    const m = buildMasks(state, 'upper', box, { neckY: 70 });
    const sums = [0, 0, 0];
    const counts = [0, 0, 0];
    const samples: number[][] = [[], [], []];
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width; x++) {
        const o = (y * box.width + x) * MASK_CHANNELS;
        const i = ((box.y + y) * person.width + box.x + x) * 3;
        const [r, g, b] = person.image.data.subarray(i, i + 3);
        const k = m.data[o + MASK.background] ? 2 : m.data[o + MASK.old] > 127 ? 0 : 1;
        sums[k] += (0.299 * r + 0.587 * g + 0.114 * b) / 255;
        counts[k]++;
        if (m.data[o + MASK.skin] && ((x ^ y) & 1) === 0) [r, g, b].forEach((v, c) => samples[c].push(v));
      }
    }
    for (let k = 0; k < 3; k++) expect(m.means[k]).toBeCloseTo(sums[k] / counts[k], 12);
    expect(samples[0].length).toBeGreaterThan(50);
    expect(m.skin).toEqual(samples.map((v) => v.sort((a, b) => a - b)[v.length >> 1]));
  });

  it('remembers the old garment box per category, and hands out copies', () => {
    const person = noisyPerson();
    const state = new PersonState(person);
    const upper = state.oldBox('upper');
    const lower = state.oldBox('lower');
    // The top with the arms is higher and wider than the trousers.
    expect(upper.y).toBeLessThan(lower.y);
    expect(upper.width).toBeGreaterThan(lower.width);
    upper.x = -1;
    expect(state.oldBox('upper')).toEqual(oldGarmentBox(clone(person), 'upper'));
    expect(state.oldBox('upper').x).toBeGreaterThanOrEqual(0);
    expect(state.oldBox('lower')).toEqual(lower);
  });
});
