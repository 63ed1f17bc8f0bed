/**
 * What each pixel of a person is to a new garment of a category, whatever the garment: in front
 * of it (hair, face, hands; for trousers the top and the arms too), in front above its
 * neckline only (the neck, and hair or face specks the parsing scattered over the clothes), an
 * arm passing in front of its body (how much: below the armpit only), or the old garment the
 * bare body took off (whose photo luminance shades the new garment's folds). Built once per
 * person and category over the bare body's box; a pair's masks are a copy of its crop with the
 * neckline applied (masks.ts).
 */
import type { Body } from '../fit/body.ts';
import type { BareBody } from '../bare/index.ts';
import { LABEL, type Box, type GarmentCategory, type PersonAnalysis, type Point } from '../types.ts';
import { flood } from '../image/pixels.ts';
import { colourDist, medianColour } from '../bare/old-garment.ts';

/** Role bits. */
export const ROLE = {
  /** Always in front of the new garment. */
  front: 1,
  /** In front above the new garment's neckline: the neck, a hair or face speck over the clothes. */
  aboveNeckline: 2,
  /** The old garment (taken off in the bare body). */
  old: 4,
} as const;

export interface RolePlanes {
  /** The region the planes cover (the bare body's box); outside it a pixel has no role. */
  box: Box;
  /** ROLE bits per pixel. */
  bits: Uint8Array;
  /** How much an arm passes in front of the new garment's body, 0..255. */
  arm: Uint8Array;
}

/** Projection of p on segment a->b: fraction t (clamped) and squared distance. */
function project(x: number, y: number, a: Point, b: Point): { t: number; d2: number } {
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const len2 = abx * abx + aby * aby || 1;
  const t = Math.min(Math.max(((x - a.x) * abx + (y - a.y) * aby) / len2, 0), 1);
  return { t, d2: (x - a.x - abx * t) ** 2 + (y - a.y - aby * t) ** 2 };
}

/**
 * How much an arm pixel is in front of the new garment's body, 0..1: the forearm wholly, the
 * upper arm from below the armpit (the shirt's shoulder covers the arm's top).
 */
function armFrontness(body: Body, x: number, y: number): number {
  let best = 0;
  for (const side of ['left', 'right'] as const) {
    const up = project(x, y, body.shoulder[side], body.elbow[side]);
    const fore = project(x, y, body.elbow[side], body.wrist[side]);
    const v = fore.d2 < up.d2 ? 1 : Math.min(Math.max((up.t - 0.4) / 0.2, 0), 1);
    if (Math.min(up.d2, fore.d2) < (body.shoulderWidth * 0.3) ** 2) best = Math.max(best, v);
  }
  return best;
}

/** Whether the arms are nearer the camera than the torso (BlazePose z), so they pass in front of a shirt. */
function armsInFront(body: Body): boolean {
  const arm = Math.min(body.depth('left_elbow', 'left_wrist'), body.depth('right_elbow', 'right_wrist'));
  const torso = body.depth('left_shoulder', 'right_shoulder', 'left_hip', 'right_hip');
  return arm - torso < 0.5 * body.shoulderWidth;
}

/**
 * Whether a hair or face pixel is a speck: no run of its kind 4 px out in two of the four
 * directions (a real strand or the face is wider than that in one direction at least).
 */
function isSpeck(labels: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  const r = 4;
  let same = 0;
  let other = 0;
  for (const [dx, dy] of [[r, 0], [-r, 0], [0, r], [0, -r]]) {
    const xx = x + dx;
    const yy = y + dy;
    if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
    const v = labels[yy * width + xx];
    if (v === LABEL.hair || v === LABEL.face) same++;
    else other++;
  }
  return same < 2 && other > 0;
}

/** Labels in front of a lower garment: the top (its hem over the waistband), the arms, the hands, the shoes, the head. */
const FRONT_OF_LOWER = new Set<number>([LABEL.hair, LABEL.face, LABEL.neck, LABEL.upper_clothes, LABEL.left_arm, LABEL.right_arm, LABEL.hands, LABEL.shoes]);

/** How far (colour distance) from the head's hair a "hair" pixel below the shoulders may be and still be hair. */
const HAIR_DIST = 45;

/**
 * "Hair" below the shoulders that is not hair: not joined to the hair on the head through
 * hair, or far from the head's hair colour, or nearer the person's skin colour than to it. The
 * parsing reads a deep V-neck's shadowed skin or a dark ruffle as hair, and in front of the new
 * top it would leave a hole of it; long hair over the shoulders is joined to the head's and of
 * its colour. Such pixels are covered below the new neckline, as the neck is.
 */
function strayHair(person: PersonAnalysis, body: Body): Uint8Array {
  const { width: w, height: h } = person;
  const labels = person.parsing.data;
  const img = person.image;
  const shoulderY = Math.min(body.shoulder.left.y, body.shoulder.right.y);
  const hair = new Uint8Array(w * h);
  const seeds = new Uint8Array(w * h);
  for (let i = 0; i < hair.length; i++) {
    if (labels[i] !== LABEL.hair) continue;
    hair[i] = 1;
    if (i / w < shoulderY) seeds[i] = 1;
  }
  const joined = flood(seeds, hair, w, h);
  const head = medianColour(person, [LABEL.hair], (i) => i / w < shoulderY);
  const stray = new Uint8Array(w * h);
  for (let i = Math.ceil(shoulderY) * w; i < hair.length; i++) {
    if (!hair[i]) continue;
    if (!joined[i] || !head) {
      stray[i] = joined[i] ? 0 : 1;
      continue;
    }
    const toHair = colourDist(img.data, i * img.channels, head);
    if (toHair > HAIR_DIST || colourDist(img.data, i * img.channels, person.skinColor) < toHair) stray[i] = 1;
  }
  return stray;
}

/** The role planes of a person under a garment category, over the bare body's box. */
export function rolePlanes(person: PersonAnalysis, body: Body, bare: BareBody, category: GarmentCategory): RolePlanes {
  const { box } = bare;
  const n = box.width * box.height;
  const bits = new Uint8Array(n);
  const arm = new Uint8Array(n);
  const labels = person.parsing.data;
  const armsFront = category !== 'lower' && armsInFront(body);
  const stray = strayHair(person, body);
  for (let y = 0; y < box.height; y++) {
    const py = box.y + y;
    for (let x = 0; x < box.width; x++) {
      const px = box.x + x;
      const k = y * box.width + x;
      // Arms pass in front of a shirt's body: the photo's bare arms and the synthesised ones.
      if (armsFront && bare.arms[k]) arm[k] = Math.round(255 * armFrontness(body, px + 0.5, py + 0.5));
      if (bare.old[k]) {
        bits[k] = ROLE.old;
        continue;
      }
      // The backdrop's rim the bare body refilled is nothing to the new garment.
      if (bare.backdrop[k]) continue;
      const l = labels[py * person.width + px];
      if (category === 'lower') {
        if (FRONT_OF_LOWER.has(l)) bits[k] = ROLE.front;
        continue;
      }
      if (l === LABEL.hair && stray[py * person.width + px]) bits[k] = ROLE.aboveNeckline;
      else if (l === LABEL.hair || l === LABEL.face) bits[k] = isSpeck(labels, person.width, person.height, px, py) ? ROLE.aboveNeckline : ROLE.front;
      else if (l === LABEL.hands) bits[k] = ROLE.front;
      else if (l === LABEL.neck) bits[k] = ROLE.aboveNeckline;
    }
  }
  return { box, bits, arm };
}

/** Bytes the planes hold. */
export function roleBytes(p: RolePlanes): number {
  return p.bits.byteLength + p.arm.byteLength;
}
