/**
 * The try-on on real photographs (a subset of the contact sheet, to fit the test budget):
 * outside the garment and exposed skin the photo is untouched (SSIM >= 0.98), inside the
 * garment the mean colour stays within CIEDE2000 10 of the warped garment's own, sizes grow.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tryon } from '../src/pipeline.ts';
import type { GarmentAnalysis, PersonAnalysis } from '../src/types.ts';
import { catalog, garmentPath, HAVE_SHARED, personPhotos, SHARED_FIXTURES } from './fixtures.ts';
import { renderQuality } from './helpers/metrics.ts';

const PERSONS = ['model_5.png', '049447_0.jpg', '052767_0.jpg'];
const GARMENTS = ['00055_00', '051412_1'];

describe.skipIf(!HAVE_SHARED)('tryOn on the fixture photographs', () => {
  let tryon: Tryon;
  const persons: PersonAnalysis[] = [];
  const garments: { name: string; g: GarmentAnalysis }[] = [];

  beforeAll(async () => {
    tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1 });
    const have = new Set(personPhotos().map((p) => path.basename(p)));
    for (const p of PERSONS) if (have.has(p)) persons.push(await tryon.analysePerson(path.join(SHARED_FIXTURES, 'persons', p)));
    for (const id of GARMENTS) {
      const e = catalog().find((c) => c.id === id);
      if (e) garments.push({ name: id, g: await tryon.analyseGarment(garmentPath(e), { type: e.type, category: e.category, name: id }) });
    }
    garments.push({ name: 'template dress', g: await tryon.template('dress', '#8e3b5f') });
  });
  afterAll(() => tryon?.close());

  it('leaves the photo alone outside the garment and keeps the garment its colour', async () => {
    expect(persons.length).toBe(PERSONS.length);
    for (const person of persons) {
      for (const { name, g } of garments) {
        const r = await tryon.tryOn(person, g);
        const q = renderQuality(person.image, r);
        const where = `${person.key.slice(0, 8)} x ${name}`;
        expect(q.ssimOutside, where).toBeGreaterThanOrEqual(0.98);
        expect(q.deltaE, where).not.toBeNull();
        expect(q.deltaE!, where).toBeLessThan(10);
        // The garment covers a real part of the picture.
        const area = r.layers!.garmentMask.data.reduce((a, v) => a + (v > 128 ? 1 : 0), 0);
        expect(area / (person.width * person.height), where).toBeGreaterThan(0.03);
      }
    }
  });

  it('gives growing garment area for S < M < L < XL on a photo', async () => {
    const person = persons[0];
    const tee = garments[0].g;
    const areas: number[] = [];
    for (const size of ['S', 'M', 'L', 'XL'] as const) {
      const r = await tryon.tryOn(person, tee, { size });
      areas.push(r.layers!.garmentMask.data.reduce((a, v) => a + v, 0));
    }
    for (let i = 1; i < 4; i++) expect(areas[i]).toBeGreaterThan(areas[i - 1]);
  });
});
