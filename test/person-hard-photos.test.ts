/**
 * Person photos outside the studio, built at test time from a shared photo (never stored):
 * the person over a busy texture, under a strong warm and a strong blue light, downscaled to a
 * short side of 384 px, upscaled to 24 MP (analysed downscaled), grey-scale. Each is analysed
 * and tried on, and compared with the original photo's analysis: keypoints, person mask, what
 * the bare body changes and where, what the try-on changes outside the person, the result's
 * size. Plus the grey-scale black dress on white whose pose the network folded onto its axis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BareBody } from '../src/bare/index.ts';
import { Tryon } from '../src/pipeline.ts';
import type { GarmentAnalysis, Mask, PersonAnalysis } from '../src/types.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';
import { colouredLight, greyScale, maskIoU, overBusyTexture, resized, type HardPhoto } from './helpers/hard-photos.ts';

const photo = (name: string): string => path.join(SHARED_FIXTURES, 'persons', name);
/** Joints compared (shoulders, elbows, wrists, hips) where the original sees them. */
const JOINTS = [11, 12, 13, 14, 15, 16, 23, 24];
/** The analysis's longest side in these tests (config person.maxSide; the default is 2560). */
const MAX_SIDE = 1536;

/** The original's mask resampled to `w` x `h`, grown by `r` px (a separable max). */
function grownMask(m: Mask, w: number, h: number, r: number): Uint8Array {
  const inside = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const my = Math.min(m.height - 1, Math.floor(((y + 0.5) * m.height) / h));
    for (let x = 0; x < w; x++) inside[y * w + x] = m.data[my * m.width + Math.min(m.width - 1, Math.floor(((x + 0.5) * m.width) / w))] >= 128 ? 1 : 0;
  }
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let last = -Infinity;
    for (let x = 0; x < w; x++) {
      if (inside[y * w + x]) last = x;
      if (x - last <= r) rows[y * w + x] = 1;
    }
    last = Infinity;
    for (let x = w - 1; x >= 0; x--) {
      if (inside[y * w + x]) last = x;
      if (last - x <= r) rows[y * w + x] = 1;
    }
  }
  const out = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h; y++) {
      if (rows[y * w + x]) last = y;
      if (y - last <= r) out[y * w + x] = 1;
    }
    last = Infinity;
    for (let y = h - 1; y >= 0; y--) {
      if (rows[y * w + x]) last = y;
      if (last - y <= r) out[y * w + x] = 1;
    }
  }
  return out;
}

/** Joint distances to the original's (scaled), over the original person's height: [median, max]. */
function jointError(ref: PersonAnalysis, a: PersonAnalysis, scale: number): [number, number] {
  const d = JOINTS.filter((j) => ref.keypoints[j].score >= 0.5)
    .map((j) => Math.hypot(a.keypoints[j].x / scale - ref.keypoints[j].x, a.keypoints[j].y / scale - ref.keypoints[j].y) / ref.box.height)
    .sort((p, q) => p - q);
  return [d[d.length >> 1], d[d.length - 1]];
}

/** Pixels the bare body changed (skin or backdrop) that lie off `near`, over the person's area. */
function bareFarOff(bare: BareBody, near: Uint8Array, width: number, area: number): number {
  let far = 0;
  for (let y = 0; y < bare.box.height; y++) {
    for (let x = 0; x < bare.box.width; x++) {
      const k = y * bare.box.width + x;
      if ((bare.skin[k] || bare.backdrop[k]) && !near[(bare.box.y + y) * width + bare.box.x + x]) far++;
    }
  }
  return far / area;
}

/** Mean distance (levels) of a plane's pixels from their 3x3 mean over the same plane: a flat fill is ~0-3, a pattern tens. */
function detailOn(rgb: Uint8Array, width: number, sel: (x: number, y: number) => boolean, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y0 + 1; y < y1 - 1; y++) {
    for (let x = x0 + 1; x < x1 - 1; x++) {
      if (!sel(x, y)) continue;
      for (let c = 0; c < 3; c++) {
        let m = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) m += rgb[((y + dy) * width + x + dx) * 3 + c];
        sum += Math.abs(rgb[(y * width + x) * 3 + c] - m / 9);
        n++;
      }
    }
  }
  return n ? sum / n : 0;
}

interface Outcome {
  kind: string;
  person: PersonAnalysis;
  scale: number;
  joints: [number, number];
  iou: number;
  bare: BareBody;
  bareFar: number;
  spill: number;
  garmentShare: number;
  size: [number, number];
}

describe.skipIf(!HAVE_SHARED)('hard person photos built from a shared one', () => {
  let tryon: Tryon;
  let cacheDir: string | undefined;
  let tee: GarmentAnalysis;
  let ref: PersonAnalysis;
  const outcomes = new Map<string, Outcome>();

  /** Analyses, bares and tries on one hard photo; measures it against the original. */
  async function measure(hp: HardPhoto): Promise<Outcome> {
    const person = await tryon.analysePerson(hp.bytes, `${hp.kind}.jpg`);
    const scale = person.width / ref.width;
    const { width, height } = person;
    const near = grownMask(ref.mask, width, height, Math.round(0.03 * ref.box.height * scale));
    let area = 0;
    const inside = grownMask(ref.mask, width, height, 0);
    for (const v of inside) area += v;
    const result = await tryon.tryOn(person, tee, { layers: false });
    // The render made the bare body and kept it in the cache folder: read back, not made again.
    const bare = await tryon.bareBody(person, 'upper');
    // Changed by the try-on: off the person (spill), and on the original's torso (the new top).
    let spill = 0;
    let torso = 0;
    let torsoChanged = 0;
    const shoulderY = ((ref.keypoints[11].y + ref.keypoints[12].y) / 2) * scale;
    const hipY = ((ref.keypoints[23].y + ref.keypoints[24].y) / 2) * scale;
    const midX = ((ref.keypoints[11].x + ref.keypoints[12].x) / 2) * scale;
    const half = (0.25 * Math.abs(ref.keypoints[11].x - ref.keypoints[12].x)) * scale;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        let d = 0;
        for (let c = 0; c < 3; c++) d += Math.abs(result.image.data[i * 3 + c] - person.image.data[i * person.image.channels + c]);
        if (!near[i] && d > 30) spill++;
        if (y > shoulderY + 0.2 * (hipY - shoulderY) && y < shoulderY + 0.6 * (hipY - shoulderY) && Math.abs(x - midX) < half) {
          torso++;
          if (d > 30) torsoChanged++;
        }
      }
    }
    return {
      kind: hp.kind,
      person,
      scale,
      joints: jointError(ref, person, scale),
      iou: maskIoU(ref.mask, person.mask),
      bare,
      bareFar: bareFarOff(bare, near, width, area),
      spill: spill / area,
      garmentShare: torsoChanged / torso,
      size: [result.image.width, result.image.height],
    };
  }

  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'tryon-hard-photos-'));
    tryon = await Tryon.create({ device: 'cpu', cacheDir, concurrency: 1, render: { threads: 0 }, person: { maxSide: MAX_SIDE } });
    tee = await tryon.template('tshirt', '#2a6fb0');
    ref = await tryon.analysePerson(photo('01861_00.jpg'));
    const built = [
      await overBusyTexture(ref.image, ref.mask),
      await colouredLight(ref.image, 'warm-light'),
      await colouredLight(ref.image, 'blue-light'),
      await resized(ref.image, 384),
      await resized(ref.image, 4243), // 4243 x 5657: 24 MP
      await greyScale(ref.image),
    ];
    for (const hp of built) outcomes.set(hp.kind, await measure(hp));
    console.log([...outcomes.values()].map((o) => `${o.kind}: joints ${(o.joints[0] * 100).toFixed(1)}/${(o.joints[1] * 100).toFixed(1)} %, IoU ${o.iou.toFixed(3)}, bare off ${(o.bareFar * 100).toFixed(2)} %, spill ${(o.spill * 100).toFixed(2)} %, garment ${o.garmentShare.toFixed(2)}`).join('\n'));
  }, 120_000);
  afterAll(async () => {
    await tryon?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('finds the same person: joints near the original\'s (in shares of its height), the same mask', () => {
    // [median joint, worst joint, mask IoU]. Measured: busy 3.0 %, 5.8 %, 0.907 (the network
    // puts the shoulders higher over the pattern); coloured lights 0.4 %, 1.6 %, 0.99 (balanced
    // for the networks, src/person/cast.ts: unbalanced, the blue light put a wrist 10 % off);
    // resized 0.1 %, 0.2 %, 0.99; grey 1.1 %, 6.1 % (a wrist at the frame's edge), 0.976.
    const limits: Record<string, [number, number, number]> = {
      busy: [0.04, 0.08, 0.88],
      'warm-light': [0.015, 0.03, 0.97],
      'blue-light': [0.015, 0.03, 0.97],
      small: [0.01, 0.02, 0.98],
      large: [0.01, 0.02, 0.98],
      grey: [0.02, 0.08, 0.95],
    };
    for (const o of outcomes.values()) {
      const [median, worst, iou] = limits[o.kind];
      expect(o.joints[0], o.kind).toBeLessThan(median);
      expect(o.joints[1], o.kind).toBeLessThan(worst);
      expect(o.iou, o.kind).toBeGreaterThan(iou);
    }
  });

  it('takes the old top off on the person only, and puts the new one on without spilling off it', () => {
    for (const o of outcomes.values()) {
      expect(o.bareFar, o.kind).toBeLessThan(0.002);
      expect(o.spill, o.kind).toBeLessThan(0.002);
      expect(o.garmentShare, o.kind).toBeGreaterThan(0.9);
      expect(o.size, o.kind).toEqual([o.person.width, o.person.height]);
    }
  });

  it('analyses a 24 MP photo downscaled to the longest-side limit, says so, and renders at that size', () => {
    const large = outcomes.get('large')!;
    expect([large.person.width, large.person.height]).toEqual([1152, 1536]);
    expect(large.person.warnings).toEqual([expect.stringMatching(/^photo 4243x5657 analysed and rendered at 1152x1536/)]);
    expect(outcomes.get('small')!.size).toEqual([384, 512]);
  });

  it('fills the backdrop beside removed sleeves with the busy pattern, not a smooth smear', () => {
    const { bare, person } = outcomes.get('busy')!;
    const { x, y, width: w, height: h } = bare.box;
    const filled = (px: number, py: number): boolean => bare.backdrop[(py - y) * w + px - x] > 0;
    const filledDetail = detailOn(bare.image, w, (px, py) => filled(px + x, py + y), 0, 0, w, h);
    // The photo's own backdrop in the same box, away from the person.
    const far = grownMask(person.mask, person.width, person.height, 12);
    const around = detailOn(person.image.data, person.width, (px, py) => !far[py * person.width + px], x, y, x + w, y + h);
    expect(filledDetail).toBeGreaterThan(0.5 * around);
  });

  it('reads skin on a grey-scale photo and paints grey skin, not coloured', () => {
    const { person, bare } = outcomes.get('grey')!;
    expect(person.warnings.join(' ')).not.toMatch(/skin labels are off/);
    let chroma = 0;
    let n = 0;
    for (let k = 0; k < bare.skin.length; k++) {
      if (!bare.skin[k]) continue;
      const [r, g, b] = bare.image.subarray(k * 3, k * 3 + 3);
      chroma += Math.max(r, g, b) - Math.min(r, g, b);
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    expect(chroma / n).toBeLessThan(4);
  });

  it('keeps the pose of a grey-scale black dress on white unfolded (a retry from the whole photo)', async () => {
    const dress = await tryon.analysePerson(photo('053228_0.jpg'));
    const grey = await tryon.analysePerson((await greyScale(dress.image)).bytes, '053228-grey.jpg');
    const [median, worst] = jointError(dress, grey, 1);
    expect(median).toBeLessThan(0.03);
    expect(worst).toBeLessThan(0.06);
    expect(maskIoU(dress.mask, grey.mask)).toBeGreaterThan(0.95);
  });
});
