/**
 * Worn garments (src/garment/worn/): a photo of someone wearing a garment used as the garment
 * photo. Built from the shared person photos: a person's top put on another person lands on
 * the body, in its colour, without spilling; every category cuts out of a person photo;
 * what hair and arms hid is filled with the cloth; product photos stay product photos (the
 * detector's hard cases: jeans that pass for a person upside down, a tee printed with a face);
 * a 'worn' photo without a person, and bad options, are clear errors.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Tryon } from '../src/pipeline.ts';
import { TryonError } from '../src/errors.ts';
import { parseRunOptions, runTryon } from '../src/cli/run.ts';
import { parseInspectOptions } from '../src/cli/inspect.ts';
import { parseManifest } from '../src/batch/manifest.ts';
import { resolveSource } from '../src/garment/worn/source.ts';
import { cutGarment } from '../src/garment/worn/cut.ts';
import { fillHoles } from '../src/garment/worn/fill.ts';
import { personColours } from '../src/bare/old-garment.ts';
import { skeleton } from '../src/bare/skeleton.ts';
import { PersonState } from '../src/render/state.ts';
import { measurePair, personPlanes } from '../scripts/quality/metrics.ts';
import { coreDeltaE } from '../scripts/quality/worn.ts';
import { deltaE2000 } from './helpers/metrics.ts';
import type { GarmentCategory, PersonAnalysis, RGB } from '../src/types.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';

const person = (name: string): string => path.join(SHARED_FIXTURES, 'persons', name);
const garment = (name: string): string => path.join(SHARED_FIXTURES, 'garments', name);

function refusal(f: () => unknown): TryonError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(TryonError);
    return err as TryonError;
  }
  throw new Error('accepted');
}

describe('garment source options', () => {
  it('accepts auto, photo and worn in any case, auto by default, and names the option otherwise', () => {
    expect(resolveSource(undefined)).toBe('auto');
    expect(resolveSource('WORN')).toBe('worn');
    const e = refusal(() => resolveSource('model'));
    expect(e.code).toBe('BAD_OPTION');
    expect(e.message).toMatch(/Expected one of auto, photo, worn for source but received "?model"?/);
  });

  it('tryon run and inspect check --garment-source and want a garment photo with it', () => {
    const base = { person: 'me.jpg', output: 'out.jpg', size: 'M', quality: '90', device: 'auto', cache: true };
    expect(parseRunOptions({ ...base, garment: 'her.jpg', garmentSource: 'Worn' }).source).toBe('worn');
    expect(parseRunOptions({ ...base, garment: 'tee.jpg' }).source).toBe('auto');
    expect(refusal(() => parseRunOptions({ ...base, garment: 'her.jpg', garmentSource: 'sideways' })).message).toMatch(/auto, photo, worn for --garment-source/);
    expect(refusal(() => parseRunOptions({ ...base, garmentSource: 'worn' })).message).toMatch(/--garment-source .*add --garment/);
    const cli = { model: 'full', device: 'cpu', cache: true, json: true };
    expect(parseInspectOptions('her.jpg', { ...cli, garment: true, garmentSource: 'worn' }).source).toBe('worn');
    expect(refusal(() => parseInspectOptions('her.jpg', { ...cli, garmentSource: 'worn' })).code).toBe('BAD_OPTION');
  });

  it('a manifest entry may say what its image shows, and is refused naming the field otherwise', () => {
    const m = parseManifest(JSON.stringify([{ id: 'look-1', image: 'a.jpg', type: 'dress', source: 'Worn' }, { id: 'tee', image: 'b.jpg', type: 'tshirt' }]), { name: 'c.json', baseDir: '/x' });
    expect(m.garments.map((g) => g.source)).toEqual(['worn', undefined]);
    expect(m.warnings).toEqual([]);
    const bad = refusal(() => parseManifest('[{"id": "a", "image": "a.jpg", "type": "dress", "source": "catwalk"}]', { name: 'c.json', baseDir: '/x' }));
    expect(bad.code).toBe('BAD_MANIFEST');
    expect(bad.message).toMatch(/c\.json \[0\] \(id "a"\).*one of auto, photo, worn for source but received "catwalk"/);
    expect(refusal(() => parseManifest('id,type,source\nnavy,skirt,worn\n', { name: 'c.csv', baseDir: '/x' })).message).toMatch(/line 2 .*field "source".*give the entry an image/);
  });
});

describe.skipIf(!HAVE_SHARED)('worn garments from the shared person photos', () => {
  let tryon: Tryon;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-worn-'));

  beforeAll(async () => {
    tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1, render: { threads: 0 } });
  });
  afterAll(async () => {
    await tryon?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts one person's top on another: detected as worn, on the body, in its colour, no spill", async () => {
    const top = await tryon.analyseGarment(person('07966_00.jpg'), { category: 'upper' });
    expect(top.source).toBe('worn');
    expect(top.sleeve).toBe('short');
    expect(top.warnings[0]).toMatch(/read as worn by a person \(detector 0\.9\d/);
    const target = await tryon.analysePerson(person('model_5.png'));
    const result = await tryon.tryOn(target, top, { size: 'M' });
    const layers = result.layers!;
    const m = measurePair(personPlanes(target, new PersonState(target).body.shoulderWidth), {
      person: target,
      result: result.image,
      garmentMask: layers.garmentMask,
      warpedGarment: layers.warpedGarment,
      exposedSkin: layers.exposedSkin,
      sleeves: null,
      category: 'upper',
      sleeved: false,
    });
    expect(m.spill).toBeLessThanOrEqual(0.5);
    expect(coreDeltaE(top, result.image, layers.garmentMask)).toBeLessThanOrEqual(8);
    // On the body: the new top covers the chest between the shoulder joints, down a third of the torso.
    expect(chestCover(target, layers.garmentMask.data)).toBeGreaterThan(0.9);
  });

  it('cuts every category out of a person photo, with that category\'s landmarks', async () => {
    const cases: [string, GarmentCategory, string][] = [
      ['053228_0.jpg', 'dress', 'hemline_left'],
      ['053228_0.jpg', 'upper', 'armpit_left'],
      ['049447_0.jpg', 'lower', 'crotch'],
      ['049447_0.jpg', 'upper', 'top_hem_right'],
    ];
    for (const [file, category, landmark] of cases) {
      const g = await tryon.analyseGarment(person(file), { category, source: 'worn' });
      expect(g.category).toBe(category);
      expect(g.landmarks[landmark as keyof typeof g.landmarks], `${file} ${category} ${landmark}`).toBeDefined();
      let opaque = 0;
      for (const v of g.mask.data) if (v >= 128) opaque++;
      expect(opaque / (g.width * g.height), `${file} ${category}`).toBeGreaterThan(0.25);
    }
    // The patterned trousers read as trousers, the dress's lower part as a skirt.
    expect((await tryon.analyseGarment(person('049447_0.jpg'), { category: 'lower', source: 'worn' })).type).toBe('trousers');
    expect((await tryon.analyseGarment(person('053228_0.jpg'), { category: 'lower', source: 'worn' })).type).toBe('skirt');
  });

  it('fills what hair and arms hide with the cloth, not skin', async () => {
    // model_1: a white tank, arms hanging against its sides.
    const p = await tryon.analysePerson(person('model_1.png'));
    const sk = skeleton(p);
    const cut = cutGarment(p, sk, 'upper', personColours(p));
    const { width: w, height: h } = cut.box;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = p.image.data[((cut.box.y + y) * p.width + cut.box.x + x) * p.image.channels + c];
    let holes = 0;
    for (const v of cut.holes) holes += v;
    expect(holes).toBeGreaterThan(1000);
    const before = median(rgb, cut.holes); // the arms, as the photo shows them
    const filled = fillHoles({ width: w, height: h, rgb, seen: cut.seen, holes: cut.holes, grainSize: 12, seed: 1 });
    const cloth = median(rgb, cut.seen);
    const fill = median(rgb, cut.holes);
    expect(deltaE2000(fill, cloth)).toBeLessThan(10);
    expect(deltaE2000(before, cloth)).toBeGreaterThan(2 * deltaE2000(fill, cloth));
    for (let k = 0; k < filled.length; k++) if (cut.holes[k]) expect(filled[k]).toBe(1);
  });

  it('keeps product photos on the product path, a person printed on a tee or jeans upside down included', async () => {
    for (const file of ['00055_00.jpg', '051827_1.jpg', '03032_00.jpg']) {
      const g = await tryon.analyseGarment(garment(file), { category: file === '051827_1.jpg' ? 'lower' : 'upper' });
      expect(g.source, file).toBe('photo');
    }
  });

  it("refuses a 'worn' photo with nobody in it, saying what was expected", async () => {
    const blank = await sharp({ create: { width: 400, height: 600, channels: 3, background: '#d8d4cc' } }).jpeg().toBuffer();
    for (const input of [garment('00055_00.jpg'), blank]) {
      const e = await tryon.analyseGarment(input, { category: 'upper', source: 'worn', name: 'look.jpg' }).then(() => null, (err: unknown) => err as TryonError);
      expect(e).toBeInstanceOf(TryonError);
      expect(e!.code).toBe('NO_PERSON');
      expect(e!.message).toMatch(/^look\.jpg: source "worn" needs a photo of someone wearing the garment, but no person found/);
    }
  });

  it('tryon run wears a photo of someone', async () => {
    const out = path.join(dir, 'worn.jpg');
    const opts = parseRunOptions({ person: person('model_7.png'), garment: person('049205_0.jpg'), garmentSource: 'worn', output: out, size: 'M', quality: '90', device: 'cpu', cache: false });
    await runTryon(opts);
    expect(statSync(out).size).toBeGreaterThan(10_000);
  });
});

/** Share of the chest (between the shoulder joints, from their line down a third of the torso) under the garment mask. */
function chestCover(p: PersonAnalysis, mask: Uint8Array): number {
  const k = p.keypoints;
  const x0 = Math.round(Math.min(k[11].x, k[12].x));
  const x1 = Math.round(Math.max(k[11].x, k[12].x));
  const y0 = Math.round((k[11].y + k[12].y) / 2);
  const y1 = Math.round(y0 + ((k[23].y + k[24].y) / 2 - y0) / 3);
  let n = 0;
  let on = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      n++;
      if (mask[y * p.width + x] >= 128) on++;
    }
  }
  return on / n;
}

function median(rgb: Uint8Array, mask: Uint8Array): RGB {
  const v: number[][] = [[], [], []];
  for (let k = 0; k < mask.length; k++) if (mask[k]) for (let c = 0; c < 3; c++) v[c].push(rgb[k * 3 + c]);
  return v.map((a) => a.sort((p, q) => p - q)[a.length >> 1]) as RGB;
}
