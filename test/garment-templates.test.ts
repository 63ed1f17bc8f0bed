/**
 * Built-in garment templates: every known type draws, in the asked colour, with its
 * category's landmarks inside the mask and in order; and the photo analysis, run on a
 * template, finds landmarks close to the ones the template was drawn from.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyseGarment } from '../src/garment/analyse.ts';
import { rgbToLab } from '../src/garment/color.ts';
import { TEMPLATE_OF, renderTemplate } from '../src/garment/templates.ts';
import { GARMENT_TYPES, type GarmentType } from '../src/types.ts';
import { parseHexColor } from '../src/validate.ts';
import { landmarkProblems } from './garment-helpers.ts';

const TYPES = Object.keys(GARMENT_TYPES) as GarmentType[];
const COLOURS = ['#1e3a8a', '#e11d48', '#f2efe6'];

/** Median Lab of the solid inside of the mask. */
function medianLab(a: Awaited<ReturnType<typeof renderTemplate>>): [number, number, number] {
  const L: number[] = [], A: number[] = [], B: number[] = [];
  for (let i = 0; i < a.mask.data.length; i += 3) {
    if (a.mask.data[i] < 255) continue;
    const [l, x, y] = rgbToLab(a.image.data[i * 3], a.image.data[i * 3 + 1], a.image.data[i * 3 + 2]);
    L.push(l); A.push(x); B.push(y);
  }
  const med = (v: number[]): number => v.sort((p, q) => p - q)[v.length >> 1];
  return [med(L), med(A), med(B)];
}

describe('garment templates', () => {
  it.each(TYPES)('%s draws (384x512) with its landmarks inside the mask, in order', async (type) => {
    const a = await renderTemplate(type, '#1e3a8a', { width: 384, height: 512 });
    expect([a.width, a.height]).toEqual([384, 512]);
    expect(a.category).toBe(GARMENT_TYPES[type]);
    expect(a.source).toBe('template');
    expect(landmarkProblems(a, 1)).toEqual([]);
    let inside = 0;
    for (let i = 0; i < a.mask.data.length; i++) if (a.mask.data[i] >= 128) inside++;
    expect(inside / (384 * 512)).toBeGreaterThan(0.1);
  });

  it.each(['tshirt', 'polo', 'dress', 'jeans'] as GarmentType[])('%s at 768x1024 has the asked colour in three colours', async (type) => {
    for (const colour of COLOURS) {
      const a = await renderTemplate(type, colour);
      expect([a.width, a.height]).toEqual([768, 1024]);
      expect(landmarkProblems(a, 1)).toEqual([]);
      const asked = rgbToLab(...parseHexColor('c', colour));
      const got = medianLab(a);
      // Shading, folds and weave move single pixels; the garment as a whole is the asked colour.
      expect(Math.hypot(got[0] - asked[0], got[1] - asked[1], got[2] - asked[2])).toBeLessThan(6);
    }
  });

  it('maps every type to a template of its category', () => {
    for (const t of TYPES) expect(TEMPLATE_OF[t]).toBeTruthy();
    expect(TEMPLATE_OF.jeans).toBe('trousers');
    expect(TEMPLATE_OF.shorts).toBe('shorts');
  });

  it('draws at another size with the landmarks scaled', async () => {
    const big = await renderTemplate('polo', '#336699');
    const small = await renderTemplate('polo', '#336699', { width: 384, height: 512 });
    expect(small.landmarks.shoulder_left!.x).toBeCloseTo(big.landmarks.shoulder_left!.x / 2, 0);
    expect(landmarkProblems(small, 1)).toEqual([]);
  });

  it('is the same every time (cache-friendly)', async () => {
    const a = await renderTemplate('jeans', '#2b4a7a');
    const b = await renderTemplate('jeans', '#2b4a7a');
    expect(a.key).toBe(b.key);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
  });

  // Armpits of hanging sleeves (a thin wedge of backdrop the mask closes) and of smoothly
  // curved armholes are found up to ~120 px off (see README); those get a looser bound.
  it.each([
    ['tshirt', 0.06],
    ['polo', 0.06],
    ['tank', 0.06],
    ['trousers', 0.06],
    ['skirt', 0.06],
    ['longsleeve', 0.17],
    ['dress', 0.17],
  ] as [GarmentType, number][])('photo analysis of the %s template finds its landmarks', async (type, armpitTolerance) => {
    const t = await renderTemplate(type, '#8a3b2e');
    const png = await sharp(Buffer.from(t.image.data), { raw: { width: t.width, height: t.height, channels: 3 } }).png().toBuffer();
    const a = await analyseGarment(png, { type });
    expect(a.sleeve).toBe(t.sleeve);
    expect(a.category).toBe(t.category);
    const errors: string[] = [];
    for (const [name, p] of Object.entries(t.landmarks)) {
      const q = a.landmarks[name as keyof typeof a.landmarks]!;
      const d = Math.hypot(p.x - q.x, p.y - q.y);
      const loose = name.startsWith('armpit') || (t.sleeve === 'none' && name.endsWith('_in'));
      // 6% of the frame width: landmarks from mask geometry are approximate by nature.
      if (d > (loose ? armpitTolerance : 0.06) * t.width) errors.push(`${name}: drawn (${p.x}, ${p.y}) found (${q.x}, ${q.y})`);
    }
    expect(errors).toEqual([]);
  });
});
