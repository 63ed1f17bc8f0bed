/**
 * Landmarks of garments whose shapes used to defeat the analysis, on the shared catalog
 * photos: sleeves angled down, hanging over the body, puffed or ruffled; a bow collar; curved
 * hems. Each test checks where a landmark lies against the mask's own geometry.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseGarment } from '../src/garment/analyse.ts';
import type { GarmentAnalysis, Point } from '../src/types.ts';
import { HAVE_SHARED, catalog, garmentPath } from './fixtures.ts';

const IDS = ['050181_1', '051998_1', '049947_1', '049920_1', '052234_1', '050002_1'];
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** The mask's outermost column on one side (sign -1: image left) over rows y0..y1. */
function extremeX(a: GarmentAnalysis, y0: number, y1: number, sign: number): number {
  let best = sign < 0 ? a.width : -1;
  for (let y = Math.max(0, Math.round(y0)); y <= Math.min(a.height - 1, Math.round(y1)); y++) {
    for (let x = 0; x < a.width; x++) {
      if (a.mask.data[y * a.width + x] < 128) continue;
      best = sign < 0 ? Math.min(best, x) : Math.max(best, x);
    }
  }
  return best;
}

/** The mask's top row. */
function topRow(a: GarmentAnalysis): number {
  for (let i = 0; i < a.mask.data.length; i++) if (a.mask.data[i] >= 128) return Math.floor(i / a.width);
  return -1;
}

describe.skipIf(!HAVE_SHARED)('garment landmarks on hard shapes', () => {
  const g = new Map<string, GarmentAnalysis>();
  beforeAll(async () => {
    for (const e of catalog().filter((c) => IDS.includes(c.id))) {
      g.set(e.id, await analyseGarment(readFileSync(garmentPath(e)), { type: e.type, name: e.image }));
    }
  });
  const lm = (id: string): Record<string, Point> => g.get(id)!.landmarks as Record<string, Point>;

  it('a sleeve angled down (050181): the opening runs from its tip to near the armpit', () => {
    const a = g.get('050181_1')!, l = lm('050181_1');
    const sw = dist(l.shoulder_left, l.shoulder_right);
    for (const [side, sign] of [['right', -1], ['left', 1]] as const) {
      const out = l[`cuff_${side}_out`], inn = l[`cuff_${side}_in`], pit = l[`armpit_${side}`];
      // The outer end is the sleeve's tip: the garment's outermost column.
      expect(Math.abs(out.x - extremeX(a, out.y - 30, out.y + 30, sign))).toBeLessThan(12);
      // The opening is the long slanted edge: the inner end lies well in and down from the tip.
      expect(sign * (out.x - inn.x)).toBeGreaterThan(0.15 * sw);
      expect(inn.y - out.y).toBeGreaterThan(0.1 * sw);
      // The armpit is where the sleeve meets the body's side, which runs straight down from it.
      expect(Math.abs(pit.x - extremeX(a, pit.y + 40, pit.y + 80, sign))).toBeLessThan(20);
      expect(dist(inn, pit)).toBeGreaterThan(0.03 * sw);
    }
  });

  it('a bow collar (051998): the neckline ends where the collar meets the shoulders', () => {
    const a = g.get('051998_1')!, l = lm('051998_1');
    const sw = dist(l.shoulder_left, l.shoulder_right);
    expect(dist(l.neckline_left, l.neckline_right)).toBeGreaterThan(0.2 * sw);
    expect(dist(l.neckline_left, l.neckline_right)).toBeLessThan(0.6 * sw);
    const top = topRow(a);
    for (const p of [l.neckline_left, l.neckline_right]) expect(p.y - top).toBeGreaterThan(0.02 * a.height);
    expect(l.center_front.y).toBeGreaterThan(Math.max(l.neckline_left.y, l.neckline_right.y));
  });

  it.each([['049947_1'], ['049920_1'], ['051998_1']])('%s: sleeves lying over the body are long, open at their bottom ends', (id) => {
    const a = g.get(id)!, l = lm(id);
    expect(a.sleeve).toBe('long');
    expect(a.warnings.filter((w) => w.includes('lies over the body'))).toHaveLength(2);
    for (const [side, sign] of [['right', -1], ['left', 1]] as const) {
      const out = l[`cuff_${side}_out`], inn = l[`cuff_${side}_in`];
      // Both ends of the opening at the sleeve's bottom, the outer one at its outer edge.
      expect(Math.abs(out.y - inn.y)).toBeLessThan(0.05 * a.height);
      expect(Math.abs(out.x - extremeX(a, out.y - 20, out.y, sign))).toBeLessThan(20);
      expect(inn.y).toBeGreaterThan(l[`armpit_${side}`].y + 0.1 * a.height);
    }
  });

  it.each([['049947_1'], ['049920_1']])('%s: the hem lies between sleeves that hang below it', (id) => {
    const l = lm(id);
    expect(l.cuff_right_in.y).toBeGreaterThan(l.top_hem_right.y);
    expect(l.cuff_left_in.y).toBeGreaterThan(l.top_hem_left.y);
    expect(l.top_hem_right.x).toBeGreaterThanOrEqual(l.cuff_right_in.x - 5);
    expect(l.top_hem_left.x).toBeLessThanOrEqual(l.cuff_left_in.x + 5);
  });

  it('puff sleeves (052234): four distinct corners per sleeve, the hemline at the skirt\'s sides', () => {
    const a = g.get('052234_1')!, l = lm('052234_1');
    const sw = dist(l.shoulder_left, l.shoulder_right);
    for (const side of ['right', 'left']) {
      const corners = [l[`shoulder_${side}`], l[`armpit_${side}`], l[`cuff_${side}_out`], l[`cuff_${side}_in`]];
      for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(dist(corners[i], corners[j])).toBeGreaterThan(0.05 * sw);
    }
    // A curved hem: its corners are the skirt's outer bottom corners, not the middle of its lowest row.
    const y = (l.hemline_left.y + l.hemline_right.y) / 2;
    const widest = extremeX(a, y - 0.08 * a.height, y, 1) - extremeX(a, y - 0.08 * a.height, y, -1);
    expect(l.hemline_left.x - l.hemline_right.x).toBeGreaterThan(0.85 * widest);
  });

  it('a curved hem (050002): the hem corners are the body\'s bottom corners', () => {
    const a = g.get('050002_1')!, l = lm('050002_1');
    for (const [side, sign] of [['right', -1], ['left', 1]] as const) {
      const c = l[`top_hem_${side}`];
      expect(Math.abs(c.x - extremeX(a, c.y - 0.05 * a.height, c.y, sign))).toBeLessThan(15);
    }
  });
});
