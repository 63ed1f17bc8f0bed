/**
 * The quality harness (scripts/quality/): each metric on constructed cases where the answer is
 * known, built from real photographs (the identity image has zero of everything, a pasted
 * rectangle spills, a flat-filled arm has a low texture ratio, a strap left behind is a
 * remnant, a sleeve standing out is off the upper arm), then the whole run on 2 persons x 2
 * garments.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tryon } from '../src/pipeline.ts';
import { Body } from '../src/fit/body.ts';
import { LABEL, type Mask, type PersonAnalysis, type RawImage } from '../src/types.ts';
import { DRAPE_FLARE, measurePair, personPlanes, sleeveAxis, type PairInputs, type PersonPlanes } from '../scripts/quality/metrics.ts';
import { boxMean, distanceTo } from '../scripts/quality/raster.ts';
import { runQuality } from '../scripts/quality/run.ts';
import { QUALITY_GARMENTS } from '../scripts/quality/pairs.ts';
import { summary, summaryTable } from '../scripts/quality/summary.ts';
import { contactSheets, pairTiles, worstSheets } from '../scripts/quality/sheets.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';

describe('distanceTo', () => {
  it('is the Euclidean distance to the nearest target pixel', () => {
    const w = 7;
    const h = 5;
    const target = new Uint8Array(w * h);
    target[2 * w + 3] = 1;
    const d = distanceTo(target, w, h);
    expect(d[2 * w + 3]).toBe(0);
    expect(d[2 * w + 6]).toBeCloseTo(3);
    expect(d[0]).toBeCloseTo(Math.hypot(3, 2));
    expect(distanceTo(new Uint8Array(w * h), w, h)[0]).toBe(Infinity);
  });
});

const person = (name: string): string => path.join(SHARED_FIXTURES, 'persons', name);

/** A copy of the photo as a try-on result would be: RGB, same size. */
function copyOf(p: PersonAnalysis): RawImage {
  const { width, height, image } = p;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = image.data[i * image.channels + c];
  return { data, width, height, channels: 3 };
}

function maskWhere(p: PersonAnalysis, keep: (i: number) => boolean): Mask {
  const data = new Uint8Array(p.width * p.height);
  for (let i = 0; i < data.length; i++) data[i] = keep(i) ? 255 : 0;
  return { data, width: p.width, height: p.height };
}

function inputs(pp: PersonPlanes, result: RawImage, garmentMask: Mask, extra: Partial<PairInputs> = {}): PairInputs {
  return { person: pp.person, result, garmentMask, sleeves: null, category: 'upper', sleeved: false, ...extra };
}

describe.skipIf(!HAVE_SHARED)('quality metrics on constructed cases', () => {
  let tryon: Tryon;
  let tank: PersonPlanes; // model_3: a white tank top, bare arms
  let sleeves: PersonPlanes; // 01861_00: red long sleeves, hands visible

  beforeAll(async () => {
    tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1, render: { threads: 0 } });
    for (const [name, set] of [['model_3.png', (v: PersonPlanes) => (tank = v)], ['01861_00.jpg', (v: PersonPlanes) => (sleeves = v)]] as const) {
      const p = await tryon.analysePerson(person(name));
      set(personPlanes(p, new Body(p).shoulderWidth));
    }
  });
  afterAll(() => tryon?.close());

  /** The old top (by the parsing) as the new garment's mask: the "garment exactly like the old one". */
  const oldTop = (pp: PersonPlanes): Mask => {
    const l = pp.person.parsing.data;
    return maskWhere(pp.person, (i) => l[i] === LABEL.upper_clothes || ((l[i] === LABEL.left_arm || l[i] === LABEL.right_arm) && pp.photoSkin[i] < 128));
  };

  it('gives the identity image zero of everything', () => {
    for (const pp of [tank, sleeves]) {
      const m = measurePair(pp, inputs(pp, copyOf(pp.person), oldTop(pp)));
      expect(m.spill).toBe(0);
      expect(m.synthSkin).toBe(0);
      expect(m.textureRatio).toBeNull();
      expect(m.seamStep).toBeNull();
      expect(m.remnants).toBe(0);
    }
  });

  it('sees a rectangle pasted beside the body as spill', () => {
    const pp = tank;
    const result = copyOf(pp.person);
    const { width } = pp.person;
    // A block 0.4 shoulder widths square beside the wearer's right shoulder, well off the body.
    const right = pp.person.keypoints[12];
    const side = Math.round(0.4 * pp.shoulderWidth);
    const x0 = Math.round(right.x - 0.45 * pp.shoulderWidth - side);
    const y0 = Math.round(right.y);
    for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) result.data.set([30, 90, 160], (y * width + x) * 3);
    const m = measurePair(pp, inputs(pp, result, oldTop(pp)));
    expect(m.spill).toBeGreaterThan(0.5);
    expect(measurePair(pp, inputs(pp, copyOf(pp.person), oldTop(pp))).spill).toBe(0);
  });


  it("excuses a skirt's flare below the hips, not a block beside the knees or beside a top", async () => {
    // A full-length photo (051962_0: a man in jeans, arms at his sides): room beside the legs.
    const p = await tryon.analysePerson(person('051962_0.jpg'));
    const pp = personPlanes(p, new Body(p).shoulderWidth);
    const { width } = pp.person;
    const k = pp.person.keypoints;
    const hipY = (k[23].y + k[24].y) / 2;
    const cx = (k[23].x + k[24].x) / 2;
    const hipHalf = Math.abs(k[23].x - k[24].x) / 2;
    const paint = (x0: number, y0: number, w: number, h: number): RawImage => {
      const result = copyOf(pp.person);
      for (let y = Math.round(y0); y < y0 + h; y++) for (let x = Math.round(x0); x < x0 + w; x++) result.data.set([30, 90, 160], (y * width + x) * 3);
      return result;
    };
    const down = 1.6 * pp.shoulderWidth;
    expect(hipY + down + 0.35 * pp.shoulderWidth).toBeLessThan(pp.person.height);
    // A flare: a small block off the body (past the spill margin) but within the drape's reach.
    const y = Math.round(hipY + down);
    const reach = hipHalf + 0.15 * pp.shoulderWidth + DRAPE_FLARE * down;
    const side = Math.round(0.06 * pp.shoulderWidth);
    let flareX = -1;
    const free = (x: number): boolean => [0, side].every((dy) => [0, side].every((dx) => pp.outsideDistance[(y + dy) * width + x + dx] > 0.15 * pp.shoulderWidth + 2));
    for (let d = 0; d + side < reach && flareX < 0; d++) {
      if (free(Math.round(cx + d))) flareX = Math.round(cx + d);
      else if (free(Math.round(cx - d - side))) flareX = Math.round(cx - d - side);
    }
    expect(flareX).toBeGreaterThan(0);
    const flare = paint(flareX, y, side, side);
    expect(measurePair(pp, inputs(pp, flare, oldTop(pp), { category: 'lower' })).spill).toBe(0);
    expect(measurePair(pp, inputs(pp, flare, oldTop(pp), { category: 'dress' })).spill).toBe(0);
    // The same block counts for a top, and a block far out beside the legs counts for a skirt.
    expect(measurePair(pp, inputs(pp, flare, oldTop(pp))).spill).toBeGreaterThan(0.01);
    const farX = cx + hipHalf + 0.15 * pp.shoulderWidth + DRAPE_FLARE * (down + 0.3 * pp.shoulderWidth) + 0.1 * pp.shoulderWidth;
    expect(farX + 0.3 * pp.shoulderWidth).toBeLessThan(width);
    const far = paint(farX, hipY + down, 0.3 * pp.shoulderWidth, 0.3 * pp.shoulderWidth);
    expect(measurePair(pp, inputs(pp, far, oldTop(pp), { category: 'lower' })).spill).toBeGreaterThan(0.5);
  });

  it('gives a flat-filled arm a texture ratio under 0.6', () => {
    const pp = sleeves;
    const result = copyOf(pp.person);
    const l = pp.person.parsing.data;
    const [r, g, b] = pp.person.skinColor;
    let filled = 0;
    for (let i = 0; i < l.length; i++) {
      if ((l[i] === LABEL.left_arm || l[i] === LABEL.right_arm) && pp.photoSkin[i] < 128) {
        result.data.set([r, g, b], i * 3);
        filled++;
      }
    }
    expect(filled).toBeGreaterThan(2000);
    const m = measurePair(pp, inputs(pp, result, maskWhere(pp.person, (i) => l[i] === LABEL.upper_clothes)));
    expect(m.synthSkin).toBeGreaterThan(1);
    expect(m.textureRatio).not.toBeNull();
    expect(m.textureRatio!).toBeLessThan(0.6);
    // Painted skin is not a remnant of the sleeves it covers.
    expect(m.remnants).toBeLessThan(0.05);
  });

  it('sees a colour step where painted skin meets real skin', () => {
    const pp = tank;
    const l = pp.person.parsing.data;
    const { width, height, image } = pp.person;
    const n = width * height;
    const top = new Uint8Array(n);
    for (let i = 0; i < n; i++) top[i] = l[i] === LABEL.upper_clothes && pp.photoSkin[i] < 128 ? 1 : 0;
    // Paint that continues the surrounding skin: each colour plane's mean over the real skin
    // around (a normalised box filter), so it meets every part of the border in its own colour.
    const weight = new Float32Array(n);
    for (let i = 0; i < n; i++) weight[i] = !top[i] && pp.photoSkin[i] >= 200 ? 1 : 0;
    const w = boxMean(weight, width, height, 12);
    const planes = [0, 1, 2].map((c) => {
      const p = new Float32Array(n);
      for (let i = 0; i < n; i++) p[i] = weight[i] * image.data[i * image.channels + c];
      return boxMean(p, width, height, 12);
    });
    const paint = (gain: number[]): RawImage => {
      const result = copyOf(pp.person);
      for (let i = 0; i < n; i++) {
        if (!top[i] || w[i] < 1e-3) continue;
        for (let c = 0; c < 3; c++) result.data[i * 3 + c] = Math.round((gain[c] * planes[c][i]) / w[i]);
      }
      return result;
    };
    const garment = maskWhere(pp.person, () => false);
    const matched = measurePair(pp, inputs(pp, paint([1, 1, 1]), garment));
    const darker = measurePair(pp, inputs(pp, paint([0.6, 0.57, 0.55]), garment));
    // The matched paint is not seamless either (a box mean lags the photo's shading), but a
    // step of 40 % in brightness must read far worse.
    expect(matched.seamStep).not.toBeNull();
    expect(darker.seamStep!).toBeGreaterThan(10);
    expect(darker.seamStep!).toBeGreaterThan(matched.seamStep! + 5);
  });

  it('counts a strap left behind as a remnant', () => {
    const pp = tank;
    const old = oldTop(pp);
    // The new garment covers the old top except a band 0.06 shoulder widths wide over the
    // wearer's left shoulder: what a render that leaves a strap shows.
    const k = pp.person.keypoints;
    const sx = k[11].x - 0.15 * (k[11].x - k[12].x);
    const half = 0.03 * pp.shoulderWidth;
    const band = maskWhere(pp.person, (i) => {
      const x = i % pp.person.width;
      const y = Math.floor(i / pp.person.width);
      return old.data[i] > 0 && !(Math.abs(x - sx) < half && y < k[11].y);
    });
    const m = measurePair(pp, inputs(pp, copyOf(pp.person), band));
    expect(m.remnants).toBeGreaterThan(0.02);
    expect(measurePair(pp, inputs(pp, copyOf(pp.person), old)).remnants).toBe(0);
  });

  it('measures a sleeve along the upper arm at a few degrees and a wing at many', () => {
    const p = tank.person;
    const k = p.keypoints;
    // A capsule along the wearer's right upper arm, and one standing out sideways from the shoulder.
    const capsule = (ax: number, ay: number, bx: number, by: number): Mask =>
      maskWhere(p, (i) => {
        const x = i % p.width;
        const y = Math.floor(i / p.width);
        const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
        return Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay)) < 0.1 * tank.shoulderWidth;
      });
    const s = k[12];
    const e = k[14];
    const along = sleeveAxis(p, capsule(s.x, s.y, s.x + 0.6 * (e.x - s.x), s.y + 0.6 * (e.y - s.y)));
    const len = 0.6 * Math.hypot(e.x - s.x, e.y - s.y);
    const outward = Math.sign(k[12].x - k[11].x);
    const wing = sleeveAxis(p, capsule(s.x, s.y, s.x + outward * len, s.y));
    expect(along).not.toBeNull();
    expect(along!).toBeLessThan(10);
    expect(wing!).toBeGreaterThan(45);
  });
});

describe.skipIf(!HAVE_SHARED)('npm run quality, on 2 persons x 2 garments', () => {
  it('renders, measures and summarises every pair, and draws the sheets', async () => {
    const tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 2, render: { threads: 1 } });
    try {
      const garments = QUALITY_GARMENTS.filter((g) => (g.kind === 'catalog' ? g.id === '00055_00' : g.type === 'dress'));
      const tiles: Awaited<ReturnType<typeof pairTiles>>[] = [];
      const records = await runQuality(tryon, {
        persons: [person('01861_00.jpg'), person('model_5.png')],
        garments,
        onPair: async ({ record, person: p, garment, result }) => void tiles.push(await pairTiles(record, p, garment, result)),
      });
      expect(records).toHaveLength(4);
      for (const r of records) {
        expect(r.error).toBeUndefined();
        expect(Number.isFinite(r.metrics.spill)).toBe(true);
        expect(Number.isFinite(r.metrics.remnants)).toBe(true);
        expect(r.metrics.ssimOutside).toBeGreaterThan(0.9);
      }
      // The tee has sleeves: its axis is measured; the long-sleeved photo gets skin synthesised.
      const tee = records.find((r) => r.person === '01861_00.jpg' && r.garment === '00055_00')!;
      expect(tee.metrics.sleeveAxis).not.toBeNull();
      expect(tee.metrics.synthSkin).toBeGreaterThan(1);
      const s = summary(records);
      expect(s.pairs).toBe(4);
      expect(s.metrics.spill.count).toBe(4);
      expect(summaryTable(s, s)).toContain('| spill |');
      expect((await contactSheets(tiles)).length).toBe(1);
      expect((await worstSheets(tiles)).map((w) => w.metric)).toContain('remnants');
    } finally {
      await tryon.close();
    }
  });
});
