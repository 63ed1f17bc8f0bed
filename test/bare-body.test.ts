/**
 * The bare body (src/bare/): the person without the old garment of a category, on the shared
 * photographs: a sleeveless top needs (almost) no arm skin for upper, long sleeves do; nothing
 * of the old garment's colour is left where it was; the synthesised skin meets the real skin
 * without a step; one photo always gives the same layer; a person with no visible skin gets a
 * neutral tone and a warning instead of an error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tryon } from '../src/pipeline.ts';
import { bareBody, NEUTRAL_SKIN } from '../src/bare/index.ts';
import { skeleton } from '../src/bare/skeleton.ts';
import { BareDiskCache } from '../src/bare/cache.ts';
import { compositeCpu } from '../src/engines/js/composite.ts';
import { MASK, MASK_CHANNELS } from '../src/engines/contract.ts';
import { LABEL, type PersonAnalysis } from '../src/types.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';

const photo = (name: string): string => path.join(SHARED_FIXTURES, 'persons', name);

/** Share of a label's pixels (inside the bare layer's box) that the layer marks. */
function shareOn(person: PersonAnalysis, marks: Uint8Array, box: { x: number; y: number; width: number; height: number }, labels: number[]): number {
  let n = 0;
  let marked = 0;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const l = person.parsing.data[(box.y + y) * person.width + box.x + x];
      if (!labels.includes(l)) continue;
      n++;
      if (marks[y * box.width + x]) marked++;
    }
  }
  return n ? marked / n : 0;
}

describe.skipIf(!HAVE_SHARED)('bareBody on the shared photographs', () => {
  let tryon: Tryon;
  const persons = new Map<string, PersonAnalysis>();
  beforeAll(async () => {
    tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1, render: { threads: 0 } });
    for (const name of ['model_5.png', '01861_00.jpg']) persons.set(name, await tryon.analysePerson(photo(name)));
  });
  afterAll(() => tryon?.close());

  it('synthesises almost no arm skin under a sleeveless top, and most of a long-sleeved arm', () => {
    const arms = [LABEL.left_arm, LABEL.right_arm];
    const tank = persons.get('model_5.png')!;
    const bare = bareBody(tank, 'upper');
    expect(shareOn(tank, bare.skin, bare.box, arms)).toBeLessThan(0.1);
    const sleeved = persons.get('01861_00.jpg')!;
    const covered = bareBody(sleeved, 'upper');
    expect(shareOn(sleeved, covered.skin, covered.box, arms)).toBeGreaterThan(0.5);
  });

  it('leaves none of the old top where it was: every old-top pixel is skin or backdrop now', () => {
    const person = persons.get('01861_00.jpg')!; // a red long-sleeved top
    const bare = bareBody(person, 'upper');
    const { box } = bare;
    let top = 0;
    let red = 0;
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width; x++) {
        if (person.parsing.data[(box.y + y) * person.width + box.x + x] !== LABEL.upper_clothes) continue;
        top++;
        const k = (y * box.width + x) * 3;
        const [r, g, b] = [bare.image[k], bare.image[k + 1], bare.image[k + 2]];
        // The top is a saturated red; skin and the grey backdrop are not.
        if (r > 100 && r - g > 70 && r - b > 60) red++;
      }
    }
    expect(top).toBeGreaterThan(10_000);
    expect(red / top).toBeLessThan(0.01);
  });

  it('meets the real skin without a step: the neckline and the wrists', () => {
    const person = persons.get('01861_00.jpg')!;
    const bare = bareBody(person, 'upper');
    const { box } = bare;
    const w = box.width;
    // Mean colour difference across every border between synthesised and real skin (neck, hands).
    let sum = 0;
    let n = 0;
    for (let y = 1; y < box.height - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const k = y * w + x;
        if (!bare.skin[k]) continue;
        for (const j of [k - 1, k + 1, k - w, k + w]) {
          const i = (box.y + Math.floor(j / w)) * person.width + box.x + (j % w);
          const l = person.parsing.data[i];
          if (bare.skin[j] || bare.backdrop[j] || (l !== LABEL.neck && l !== LABEL.hands) || person.skin.data[i] < 200) continue;
          for (let c = 0; c < 3; c++) sum += Math.abs(bare.image[k * 3 + c] - bare.image[j * 3 + c]);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(50);
    expect(sum / n / 3).toBeLessThan(12);
  });

  it('takes off what the parsing left of a dark top on the skin: straps, studs, the outline of its edge', async () => {
    // Black tops the parsing cuts short: thin straps (05997_00), a strappy dress whose dark
    // anti-aliased edge passed for hair (052472_0), a top's studs in dark rims (053228_0).
    for (const name of ['05997_00.jpg', '052472_0.jpg', '053228_0.jpg']) {
      const person = await tryon.analysePerson(photo(name));
      const bare = bareBody(person, 'upper');
      const { box } = bare;
      const w = box.width;
      // Near synthesised skin (within 6 px), on the person, not hair, face or lower garment,
      // over the torso: between the shoulder joints and above the hips.
      const sk = skeleton(person);
      const xs = [sk.joint('shoulder', 'left').x, sk.joint('shoulder', 'right').x];
      const x0 = Math.min(...xs) - box.x;
      const x1 = Math.max(...xs) - box.x;
      const y0 = Math.min(sk.joint('shoulder', 'left').y, sk.joint('shoulder', 'right').y) - 0.15 * sk.sw - box.y;
      const y1 = Math.min(sk.joint('hip', 'left').y, sk.joint('hip', 'right').y) - 0.15 * sk.sw - box.y;
      const near = new Uint8Array(bare.skin.length);
      for (let y = 0; y < box.height; y++) {
        for (let x = 0; x < w; x++) {
          if (!bare.skin[y * w + x]) continue;
          for (let dy = -6; dy <= 6; dy++) for (let dx = -6; dx <= 6; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < box.height && xx >= 0 && xx < w) near[yy * w + xx] = 1;
          }
        }
      }
      let left = 0;
      let count = 0;
      for (let k = 0; k < near.length; k++) {
        const kx = k % w;
        const ky = Math.floor(k / w);
        // (Backdrop the layer filled in, between an arm and the body, is meant to be light.)
        if (!near[k] || bare.backdrop[k] || kx < x0 || kx > x1 || ky < y0 || ky > y1) continue;
        const i = (box.y + ky) * person.width + box.x + kx;
        const l = person.parsing.data[i];
        if (person.mask.data[i] < 128 || l === LABEL.hair || l === LABEL.face || l === LABEL.lower_clothes || l === LABEL.background) continue;
        count++;
        const [r, g, b] = [bare.image[k * 3], bare.image[k * 3 + 1], bare.image[k * 3 + 2]];
        const luma = 0.299 * r + 0.587 * g + 0.114 * b;
        // Black cloth (a strap, the top's edge, a stud's dark rim): far from any skin here.
        if (luma < 70) left++;
      }
      expect(count, name).toBeGreaterThan(5_000);
      expect(left / count, name).toBeLessThan(0.002);
    }
  });

  it("runs a long sleeve's synthesised forearm on into the hand: no backdrop between them", async () => {
    // 01008_00's sheer sleeves end in cuffs over the wrists, below which the hands show.
    const person = await tryon.analysePerson(photo('01008_00.jpg'));
    const bare = bareBody(person, 'upper');
    const sk = skeleton(person);
    const { box } = bare;
    for (const side of ['left', 'right'] as const) {
      const elbow = sk.joint('elbow', side);
      const wrist = sk.joint('wrist', side);
      const len = Math.hypot(wrist.x - elbow.x, wrist.y - elbow.y);
      let backdrop = 0;
      let n = 0;
      // Along the forearm's axis from a little above the wrist joint to a little past it.
      for (let t = -0.05; t <= 0.08; t += 0.005) {
        const x = Math.round(wrist.x + ((wrist.x - elbow.x) / len) * t * sk.sw) - box.x;
        const y = Math.round(wrist.y + ((wrist.y - elbow.y) / len) * t * sk.sw) - box.y;
        if (x < 0 || y < 0 || x >= box.width || y >= box.height) continue;
        n++;
        if (bare.backdrop[y * box.width + x]) backdrop++;
      }
      expect(n, side).toBeGreaterThan(10);
      expect(backdrop, side).toBe(0);
    }
  });

  it('gives the same layer for the same photo', () => {
    const person = persons.get('model_5.png')!;
    const a = bareBody(person, 'dress');
    const b = bareBody(person, 'dress');
    expect(Buffer.from(a.image).equals(Buffer.from(b.image))).toBe(true);
  });

  it('falls back to a neutral skin tone with a warning when no skin is visible at all', () => {
    const person = persons.get('01861_00.jpg')!;
    // Gloves and a balaclava: nothing is skin, no skin model.
    const hidden: PersonAnalysis = {
      ...person,
      skin: { ...person.skin, data: new Uint8Array(person.skin.data.length) },
      skinColor: [0, 0, 0],
      parsing: { ...person.parsing, data: person.parsing.data.map((l) => ([LABEL.face, LABEL.neck, LABEL.hands, LABEL.torso_skin, LABEL.legs].includes(l) ? LABEL.upper_clothes : l)) },
    };
    const bare = bareBody(hidden, 'upper');
    expect(bare.warnings.join(' ')).toMatch(/neutral tone/);
    // The synthesised skin is near the neutral tone.
    let sum = [0, 0, 0];
    let n = 0;
    for (let k = 0; k < bare.skin.length; k++) {
      if (!bare.skin[k]) continue;
      for (let c = 0; c < 3; c++) sum[c] += bare.image[k * 3 + c];
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    sum = sum.map((v) => v / n);
    expect(Math.hypot(sum[0] - NEUTRAL_SKIN[0], sum[1] - NEUTRAL_SKIN[1], sum[2] - NEUTRAL_SKIN[2])).toBeLessThan(40);
  });
});

describe.skipIf(!HAVE_SHARED)('bare bodies on disk and through the library', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-bare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a layer through the disk cache, and treats a damaged file as a miss', async () => {
    const tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1, render: { threads: 0 } });
    try {
      const person = await tryon.analysePerson(photo('model_3.png'));
      const store = new BareDiskCache(dir);
      const bare = bareBody(person, 'upper');
      expect(await store.get(person.key, 'upper')).toBeNull();
      await store.set(person.key, bare);
      const back = await store.get(person.key, 'upper');
      expect(back).not.toBeNull();
      for (const k of ['image', 'skin', 'backdrop', 'old', 'arms'] as const) expect(Buffer.from(back![k]).equals(Buffer.from(bare[k])), k).toBe(true);
      expect(back!.box).toEqual(bare.box);
      expect(back!.changed).toEqual(bare.changed);
      // Another category, another key: misses.
      expect(await store.get(person.key, 'lower')).toBeNull();
      expect(await store.get('0'.repeat(64), 'upper')).toBeNull();
      // A truncated file is a miss, not a crash.
      const file = store.fileFor(person.key, 'upper');
      writeFileSync(file, readFileSync(file).subarray(0, 100));
      expect(await store.get(person.key, 'upper')).toBeNull();
    } finally {
      await tryon.close();
    }
  });

  it('serves Tryon.bareBody from the cache folder on a second run', async () => {
    const first = await Tryon.create({ device: 'cpu', cacheDir: dir, concurrency: 1, render: { threads: 0 } });
    const person = await first.analysePerson(photo('01861_00.jpg'));
    const a = await first.bareBody(person, 'lower');
    await first.close();
    expect(existsSync(new BareDiskCache(dir).fileFor(person.key, 'lower'))).toBe(true);
    const second = await Tryon.create({ device: 'cpu', cacheDir: dir, concurrency: 1, render: { threads: 0 } });
    try {
      const b = await second.bareBody(await second.analysePerson(photo('01861_00.jpg')), 'lower');
      expect(Buffer.from(b.image).equals(Buffer.from(a.image))).toBe(true);
      await expect(second.bareBody(person, 'tops' as never)).rejects.toThrow('Expected one of upper, lower, dress for category');
    } finally {
      await second.close();
    }
  });

  it('changes little when the new garment is the old one (identity)', async () => {
    const tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1, render: { threads: 0 } });
    try {
      const person = await tryon.analysePerson(photo('model_3.png'));
      const bare = bareBody(person, 'upper');
      const { box } = bare;
      const n = box.width * box.height;
      const photoCrop = new Uint8Array(n * 3);
      for (let y = 0; y < box.height; y++) {
        for (let x = 0; x < box.width; x++) {
          const s = ((box.y + y) * person.width + box.x + x) * person.image.channels;
          for (let c = 0; c < 3; c++) photoCrop[(y * box.width + x) * 3 + c] = person.image.data[s + c];
        }
      }
      // The "new garment" is the old top itself, where it was: its pixels, premultiplied, as the main part.
      const layers = new Float32Array(8 * n);
      const masks = new Uint8Array(n * MASK_CHANNELS);
      for (let k = 0; k < n; k++) {
        if (!bare.old[k]) continue;
        for (let c = 0; c < 3; c++) layers[c * n + k] = photoCrop[k * 3 + c] / 255;
        layers[3 * n + k] = 1;
        masks[k * MASK_CHANNELS + MASK.old] = 255;
      }
      let lum = 0;
      let count = 0;
      for (let k = 0; k < n; k++) if (bare.old[k]) (lum += (0.299 * photoCrop[k * 3] + 0.587 * photoCrop[k * 3 + 1] + 0.114 * photoCrop[k * 3 + 2]) / 255), count++;
      const out = compositeCpu({ layers, photo: photoCrop, bare: bare.image, masks, means: [lum / count], width: box.width, height: box.height, pool: 8 });
      let diff = 0;
      let shift = 0;
      let changedOutside = 0;
      for (let k = 0; k < n; k++) {
        let d = 0;
        let signed = 0;
        for (let c = 0; c < 3; c++) (d += Math.abs(out.image[k * 3 + c] - photoCrop[k * 3 + c])), (signed += out.image[k * 3 + c] - photoCrop[k * 3 + c]);
        if (bare.old[k]) (diff += d / 3), (shift += signed / 3);
        else if (!bare.backdrop[k] && d > 0) changedOutside++;
      }
      // Where the old top was: the same top again, only its folds' shading applied once more
      // (gentle: a few percent), and no shift of its colour overall.
      expect(diff / count).toBeLessThan(12);
      expect(Math.abs(shift / count)).toBeLessThan(4);
      // Elsewhere (but the backdrop rim the layer refilled): the photo itself.
      expect(changedOutside).toBe(0);
    } finally {
      await tryon.close();
    }
  });
});
