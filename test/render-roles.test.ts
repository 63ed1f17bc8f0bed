/**
 * The role planes (src/render/roles.ts) and a pair's masks (src/render/masks.ts) on a drawn
 * person: the old garment is exactly what the bare body took off; the neck is in front above the
 * new garment's neckline and covered below it; trousers go behind the top and the arms; arms
 * pass in front of a shirt's body below the armpit only; a crop beyond the planes has no roles;
 * the old garment's mean luminance is the shading's reference.
 */
import { describe, expect, it } from 'vitest';
import { bareBody } from '../src/bare/index.ts';
import { Body } from '../src/fit/body.ts';
import { MASK, MASK_CHANNELS } from '../src/engines/contract.ts';
import { cropMasks } from '../src/render/masks.ts';
import { ROLE, rolePlanes } from '../src/render/roles.ts';
import { LABEL, type Box, type PersonAnalysis } from '../src/types.ts';
import { stickPerson } from './helpers/synthetic.ts';

const full = (p: PersonAnalysis): Box => ({ x: 0, y: 0, width: p.width, height: p.height });

/** Pixels of the crop's masks with a channel set, and the photo's labels there. */
function labelsWhere(p: PersonAnalysis, data: Uint8Array, box: Box, channel: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      if (data[(y * box.width + x) * MASK_CHANNELS + channel] < 128) continue;
      const l = p.parsing.data[(box.y + y) * p.width + box.x + x];
      out.set(l, (out.get(l) ?? 0) + 1);
    }
  }
  return out;
}

describe('role planes and crop masks', () => {
  const person = stickPerson({ width: 240, height: 320 });
  const body = new Body(person);

  it('marks as old garment exactly what the bare body took off', () => {
    const bare = bareBody(person, 'upper');
    const roles = rolePlanes(person, body, bare, 'upper');
    let mismatch = 0;
    let old = 0;
    for (let k = 0; k < roles.bits.length; k++) {
      const taken = bare.old[k] > 0;
      if (taken) old++;
      if (taken !== ((roles.bits[k] & ROLE.old) !== 0)) mismatch++;
    }
    expect(old).toBeGreaterThan(1000);
    expect(mismatch).toBe(0);
  });

  it('keeps the neck in front above the neckline and covers it below', () => {
    const bare = bareBody(person, 'upper');
    const roles = rolePlanes(person, body, bare, 'upper');
    let neckTop = Infinity;
    let neckBottom = -1;
    for (let i = 0; i < person.parsing.data.length; i++) {
      if (person.parsing.data[i] !== LABEL.neck) continue;
      const y = Math.floor(i / person.width);
      neckTop = Math.min(neckTop, y);
      neckBottom = Math.max(neckBottom, y);
    }
    expect(neckBottom).toBeGreaterThan(neckTop);
    const mid = Math.round((neckTop + neckBottom) / 2);
    const masks = cropMasks(roles, person.image, full(person), mid);
    let above = 0;
    let below = 0;
    for (let y = neckTop; y <= neckBottom; y++) {
      for (let x = 0; x < person.width; x++) {
        const bx = x - roles.box.x;
        const by = y - roles.box.y;
        if (bx < 0 || by < 0 || bx >= roles.box.width || by >= roles.box.height) continue;
        if (person.parsing.data[y * person.width + x] !== LABEL.neck || roles.bits[by * roles.box.width + bx] !== ROLE.aboveNeckline) continue;
        const occ = masks.data[(y * person.width + x) * MASK_CHANNELS + MASK.occluder];
        if (y < mid) expect(occ).toBe(255), above++;
        else expect(occ).toBe(0), below++;
      }
    }
    expect(above).toBeGreaterThan(0);
    expect(below).toBeGreaterThan(0);
    // Without a neckline (Infinity) all of it stays in front.
    const none = cropMasks(roles, person.image, full(person), Infinity);
    expect(labelsWhere(person, none.data, full(person), MASK.occluder).get(LABEL.neck)).toBe(above + below);
  });

  it('puts the top, the arms and the hands in front of trousers, and takes off the old trousers', () => {
    const bare = bareBody(person, 'lower');
    const roles = rolePlanes(person, body, bare, 'lower');
    const masks = cropMasks(roles, person.image, full(person), Infinity);
    const front = labelsWhere(person, masks.data, full(person), MASK.occluder);
    expect(front.get(LABEL.upper_clothes) ?? 0).toBeGreaterThan(500);
    expect(front.get(LABEL.hands) ?? 0).toBeGreaterThan(0);
    expect(front.get(LABEL.lower_clothes) ?? 0).toBe(0);
    expect(labelsWhere(person, masks.data, full(person), MASK.old).get(LABEL.lower_clothes) ?? 0).toBeGreaterThan(500);
  });

  it('lets arms pass in front of a shirt only below the armpit', () => {
    const bare = bareBody(person, 'upper');
    const roles = rolePlanes(person, body, bare, 'upper');
    const shoulderY = Math.min(body.shoulder.left.y, body.shoulder.right.y);
    const elbowY = Math.max(body.elbow.left.y, body.elbow.right.y);
    let high = 0;
    let low = 0;
    for (let y = 0; y < roles.box.height; y++) {
      for (let x = 0; x < roles.box.width; x++) {
        const a = roles.arm[y * roles.box.width + x];
        if (roles.box.y + y < shoulderY + 2) high = Math.max(high, a);
        if (roles.box.y + y > elbowY) low = Math.max(low, a);
      }
    }
    expect(high).toBe(0);
    expect(low).toBe(255);
  });

  it('gives a crop beyond the planes no roles, and the old garment its mean luminance', () => {
    const bare = bareBody(person, 'upper');
    const roles = rolePlanes(person, body, bare, 'upper');
    const outside = cropMasks(roles, person.image, { x: 0, y: 0, width: 3, height: 3 }, Infinity);
    if (roles.box.x > 3 || roles.box.y > 3) expect(Array.from(outside.data).every((v) => v === 0)).toBe(true);
    const masks = cropMasks(roles, person.image, full(person), Infinity);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < person.width * person.height; i++) {
      if (masks.data[i * MASK_CHANNELS + MASK.old] === 0) continue;
      const o = i * person.image.channels;
      sum += (0.299 * person.image.data[o] + 0.587 * person.image.data[o + 1] + 0.114 * person.image.data[o + 2]) / 255;
      n++;
    }
    expect(masks.means[0]).toBeCloseTo(sum / n, 6);
  });

  it('covers "hair" below the shoulders that is skin or not joined to the head, keeps a strand of hair in front', () => {
    const p = stickPerson({ width: 240, height: 320 });
    const w = p.width;
    const ch = p.image.channels;
    const b = new Body(p);
    const set = (x: number, y: number, rgb: readonly number[]): void => {
      p.parsing.data[y * w + x] = LABEL.hair;
      for (let c = 0; c < 3; c++) p.image.data[(y * w + x) * ch + c] = rgb[c];
    };
    // A strand: hair-coloured, from the head's hair down past the shoulders, beside the neck.
    const headHair = { x: Math.round(b.shoulderMid.x - 0.18 * b.shoulderWidth), y: Math.round(b.shoulderMid.y - 0.8 * b.shoulderWidth) };
    let strand = 0;
    for (let y = headHair.y; y < b.shoulderMid.y + 0.3 * b.shoulderWidth; y++) {
      for (let x = headHair.x - 2; x <= headHair.x + 2; x++) set(x, y, [40, 30, 20]);
    }
    // A patch of skin the parsing called hair, on the chest, not joined to any hair.
    const chest = { x: Math.round(b.shoulderMid.x + 0.12 * b.shoulderWidth), y: Math.round(b.shoulderMid.y + 0.15 * b.shoulderWidth) };
    for (let y = chest.y; y < chest.y + 8; y++) for (let x = chest.x; x < chest.x + 8; x++) set(x, y, [200, 150, 120]);
    const bare = bareBody(p, 'upper');
    const roles = rolePlanes(p, b, bare, 'upper');
    const bits = (x: number, y: number): number => roles.bits[(y - roles.box.y) * roles.box.width + (x - roles.box.x)];
    const low = Math.round(b.shoulderMid.y + 0.3 * b.shoulderWidth);
    // The strand below the shoulders is in front wherever the old garment is not under it (but
    // its last 4 rows, which the speck rule reads as a speck's).
    for (let y = Math.ceil(Math.min(b.shoulder.left.y, b.shoulder.right.y)) + 1; y < low - 4; y++) {
      const r = bits(headHair.x, y);
      if (!(r & ROLE.old)) (expect(r, `strand at y ${y}`).toBe(ROLE.front), strand++);
    }
    expect(strand).toBeGreaterThan(0);
    const patch = bits(chest.x + 4, chest.y + 4);
    if (!(patch & ROLE.old)) expect(patch).toBe(ROLE.aboveNeckline);
    else expect.unreachable('the chest patch lies on the old garment: move it');
  });
});
