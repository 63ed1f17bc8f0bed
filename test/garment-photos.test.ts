/**
 * Garment analysis on the 42 shared catalog photos: a mask, the landmarks of the category,
 * each on or inside the mask and in anatomical order, and a recolour that keeps shading.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseGarment } from '../src/garment/analyse.ts';
import { hueOf, rgbToLab } from '../src/garment/color.ts';
import { garmentSummary, renderGarmentOverlay } from '../src/garment/overlay.ts';
import type { GarmentAnalysis } from '../src/types.ts';
import { HAVE_SHARED, catalog, garmentPath, type CatalogEntry } from './fixtures.ts';
import { landmarkProblems, sleeveProblems } from './garment-helpers.ts';

const entries = catalog();

describe.skipIf(!HAVE_SHARED)('garment analysis of the catalog photos', () => {
  const results = new Map<string, GarmentAnalysis>();

  beforeAll(async () => {
    for (const e of entries) {
      results.set(e.id, await analyseGarment(readFileSync(garmentPath(e)), { type: e.type, name: e.image }));
    }
  });

  it('reads all 42 catalog garments', () => {
    expect(entries.length).toBe(42);
    expect(results.size).toBe(42);
  });

  it.each(entries.map((e) => [e.id, e] as [string, CatalogEntry]))('%s: mask and ordered landmarks of its category', (_id, e) => {
    const a = results.get(e.id)!;
    expect(a.category).toBe(e.category);
    expect(a.type).toBe(e.type);
    let inside = 0;
    for (let i = 0; i < a.mask.data.length; i++) if (a.mask.data[i] >= 128) inside++;
    // A garment product shot fills a good part of the frame, never all of it.
    expect(inside / (a.width * a.height)).toBeGreaterThan(0.05);
    expect(inside / (a.width * a.height)).toBeLessThan(0.85);
    expect(landmarkProblems(a)).toEqual([]);
    expect(sleeveProblems(a)).toEqual([]);
  });

  it('finds long sleeves on long-sleeve tops and short ones on tees', () => {
    expect(results.get('00151_00')!.sleeve).toBe('long'); // striped long-sleeve top
    expect(results.get('049940_1')!.sleeve).toBe('long'); // blouse with balloon sleeves
    expect(results.get('00470_00')!.sleeve).toBe('long'); // sleeves hanging beside the body, cuffs touching it
    expect(results.get('049947_1')!.sleeve).toBe('long'); // sheer bell sleeves lying over the body
    expect(results.get('049920_1')!.sleeve).toBe('long'); // tiered ruffle sleeves
    expect(results.get('051998_1')!.sleeve).toBe('long'); // balloon sleeves of a long dress
    expect(results.get('052234_1')!.sleeve).toBe('short'); // puff sleeves
    expect(results.get('02305_00')!.sleeve).toBe('short'); // off-shoulder puff sleeves
    expect(results.get('00055_00')!.sleeve).toBe('short');
    expect(results.get('050105_1')!.sleeve).toBe('short');
    expect(results.get('048769_1')!.sleeve).toBe('none'); // cami
    expect(results.get('02015_00')!.cropped).toBe(true); // cami crop top
    expect(results.get('00055_00')!.cropped).toBe(false);
  });

  it('keeps the gap between trouser legs and the white of white tees', () => {
    // Trousers 051412: the backdrop between the legs is not garment.
    const t = results.get('051412_1')!;
    const c = t.landmarks.crotch!;
    const below = Math.round(c.y + (t.landmarks.bottom_left_in!.y - c.y) * 0.6);
    expect(t.mask.data[below * t.width + Math.round(c.x)]).toBeLessThan(128);
    // White tee on white (12562): the plain white fabric around the print is garment.
    const w = results.get('12562_00')!;
    const cf = w.landmarks.center_front!, hem = w.landmarks.top_hem_right!, pit = w.landmarks.armpit_right!;
    let white = 0, n = 0;
    for (let y = Math.round(cf.y + 40); y < hem.y - 20; y += 8) {
      // 30 px in from the side seam (armpit to hem corner; the tee tapers).
      const t = Math.min(1, Math.max(0, (y - pit.y) / (hem.y - pit.y)));
      const x = Math.round(pit.x + (hem.x - pit.x) * t + 30);
      n++;
      if (w.mask.data[y * w.width + x] >= 128) white++;
    }
    expect(white / n).toBeGreaterThan(0.9);
  });

  it('recolours a photo to the asked hue and keeps its shading', async () => {
    const e = entries.find((x) => x.id === '00055_00')!;
    const bytes = readFileSync(garmentPath(e));
    const plain = results.get(e.id)!;
    const blue = await analyseGarment(bytes, { type: 'tshirt', color: '#1e90ff' });
    // Luminance of garment pixels before and after: strongly correlated (folds, print kept).
    const a: number[] = [], b: number[] = [];
    for (let i = 0; i < plain.mask.data.length; i += 7) {
      if (plain.mask.data[i] < 250) continue;
      const o = i * 3;
      a.push(rgbToLab(plain.image.data[o], plain.image.data[o + 1], plain.image.data[o + 2])[0]);
      b.push(rgbToLab(blue.image.data[o], blue.image.data[o + 1], blue.image.data[o + 2])[0]);
    }
    expect(correlation(a, b)).toBeGreaterThan(0.9);
    const [, ta, tb] = rgbToLab(0x1e, 0x90, 0xff);
    const [, da, db] = rgbToLab(...blue.color);
    expect(Math.abs(hueOf(da, db) - hueOf(ta, tb))).toBeLessThan(12);
  });

  it('draws an overlay and a JSON summary', async () => {
    const a = results.get('00055_00')!;
    const png = await renderGarmentOverlay(a);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const s = garmentSummary(a) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(s))).toMatchObject({ type: 'tshirt', category: 'upper', sleeve: 'short' });
    expect(s.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(s.maskPixels as number).toBeGreaterThan(50_000);
  });
});

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
