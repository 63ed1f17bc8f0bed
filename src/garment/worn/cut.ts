/**
 * Cutting a garment out of a photo of someone wearing it: which pixels are the garment (seen),
 * and which are the garment hidden behind something in front of it (holes, to be filled).
 *
 * - Seen: the bare body's old-garment classifier (src/bare/old-garment.ts: the parsing's clothes
 *   labels, sleeves judged slice by slice along the arms, cuffs), less its 2-px growth into skin
 *   and backdrop, so no skin or backdrop rim comes with the cloth.
 * - Holes: hair, arms and hands in front of the garment. A pixel of one of them is a hole when
 *   (1) garment lies on both sides of it along its row or its column, within half a shoulder
 *   width (a strand of hair over the chest, a hand across the waist); or (2) it is an arm or a
 *   hand inside the body's torso (or, for trousers and skirts, the pelvis and thighs) below the
 *   armpits, joined to the garment along its row through other such pixels (a hanging arm over
 *   the shirt's side); or (3) it is hair on the shoulders, beside the neck, above garment in its
 *   column (long hair over a shirt's shoulders).
 *   The body's torso is the bare body's (src/bare/shape.ts): it follows tight clothes and keeps
 *   to average proportions under loose ones.
 */
import { LABEL, type Box, type GarmentCategory, type PersonAnalysis, type RGB } from '../../types.ts';
import { armT, colourDist, oldGarment, sleeveEnd, type PersonColours } from '../../bare/old-garment.ts';
import { GROUP, limbs, rasterBody, torsoShape, type BodyRaster } from '../../bare/shape.ts';
import { SIDES, type Side, type Skeleton } from '../../bare/skeleton.ts';
import { dilate } from './fill.ts';
import { erode4 } from '../../image/pixels.ts';
import { bareBox } from '../../bare/index.ts';

export interface WornCut {
  /** The part of the photo the planes cover. */
  box: Box;
  /** 0/1: garment pixels seen in the photo. */
  seen: Uint8Array;
  /** 0/1: garment pixels hidden by hair, arms or hands: to be filled. */
  holes: Uint8Array;
  /** Where each sleeve ends along its arm (0 shoulder, 1 elbow, 2 wrist; 0: none). */
  sleeveEnds: Record<Side, number>;
}

const OCCLUDERS = new Set<number>([LABEL.hair, LABEL.left_arm, LABEL.right_arm, LABEL.hands]);
const LIMBS = new Set<number>([LABEL.left_arm, LABEL.right_arm, LABEL.hands]);
/** Labels that are never garment, whatever the classifier's growth took. */
const NEVER = new Set<number>([LABEL.background, LABEL.face, LABEL.hair, LABEL.shoes]);
/** Labels that may be skin: a pixel of one of them that looks like skin is not cloth. */
const MAYBE_SKIN = new Set<number>([LABEL.neck, LABEL.left_arm, LABEL.right_arm, LABEL.hands, LABEL.legs, LABEL.torso_skin]);

/** Colour distance (old-garment.ts colourDist) within which a pixel is near the person's skin tone. */
const SKIN_NEAR = 30;
/** Armpits' row and the waist's, as fractions of the torso along the spine from the shoulder line. */
const ARMPIT_T = 0.27;
const WAIST_T = 0.6;

/** The garment of `category` worn in the photo: seen pixels and holes over the crop. */
export function cutGarment(person: PersonAnalysis, sk: Skeleton, category: GarmentCategory, colours: PersonColours): WornCut {
  // The bare body's crop: the old-garment classifier the cut reuses works over it.
  const box = bareBox(person, sk);
  const sleeveEnds = { left: 0, right: 0 };
  if (category !== 'lower') for (const side of SIDES) sleeveEnds[side] = sleeveEnd(person, sk, side, colours);
  const seen = seenGarment(person, sk, category, colours, box, sleeveEnds);
  const holes = occludedGarment(person, sk, category, box, seen);
  return { box, seen, holes, sleeveEnds };
}

/**
 * The classifier's old garment, without what its growth took of skin, face, hair and backdrop,
 * without arm pixels past the sleeve's end (its per-pixel test takes an arm's shaded outline
 * and dark trousers beside a hanging arm for cloth: right for taking a garment off, wrong for
 * cutting one out), without lines thinner than 5 px and specks.
 */
function seenGarment(person: PersonAnalysis, sk: Skeleton, category: GarmentCategory, colours: PersonColours, box: Box, ends: Record<Side, number>): Uint8Array {
  const old = oldGarment(person, sk, category, box, colours);
  const f = frameOf(person, sk, box);
  const { width: w, height: h } = box;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (!old[k]) continue;
      const i = f.index(k);
      const l = person.parsing.data[i];
      const skin = colours.skinModel && MAYBE_SKIN.has(l) && person.skin.data[i] >= 128;
      if (NEVER.has(l) || skin || person.mask.data[i] < 128 || !onSleeve(sk, l, box.x + x + 0.5, box.y + y + 0.5, ends)) old[k] = 0;
    }
  }
  const palette = clothPalette(f, old, category, colours);
  if (palette) dropOffCloth(f, old, palette, colours, category);
  const seen = largeParts(opened(old, w, h, 2), w, h, 0.04);
  if (palette) underArms(f, seen, colours, palette);
  return seen;
}

/** The clothes labels of a category's garment body (not its sleeves or legs). */
function mainLabels(category: GarmentCategory): Set<number> {
  return new Set(category === 'upper' ? [LABEL.upper_clothes] : category === 'lower' ? [LABEL.lower_clothes] : [LABEL.upper_clothes, LABEL.lower_clothes]);
}

/**
 * The garment's colours: up to four k-means centres of its body's pixels that do not look
 * like skin, by the skin model or the skin's tone (every 5th pixel), those holding at least 5 % of them; null when too few pixels.
 */
function clothPalette(f: Frame, mask: Uint8Array, category: GarmentCategory, colours: PersonColours): RGB[] | null {
  const labels = mainLabels(category);
  const img = f.person.image;
  const samples: number[][] = [];
  for (let k = 0; k < mask.length; k += 5) {
    if (!mask[k] || !labels.has(f.label(k))) continue;
    const i = f.index(k);
    if (colours.skinModel && f.person.skin.data[i] >= 128) continue;
    const o = i * img.channels;
    if (colours.skin && colourDist(img.data, o, colours.skin) < SKIN_NEAR) continue;
    samples.push([img.data[o], img.data[o + 1], img.data[o + 2]]);
  }
  if (samples.length < 50) return null;
  samples.sort((a, b) => a[0] + a[1] + a[2] - b[0] - b[1] - b[2]);
  let centres = [0.125, 0.375, 0.625, 0.875].map((q) => [...samples[Math.floor(q * samples.length)]]);
  let members: number[] = [];
  for (let iter = 0; iter < 6; iter++) {
    const sums = centres.map(() => [0, 0, 0, 0]);
    members = samples.map((s) => {
      let best = 0;
      for (let c = 1; c < centres.length; c++) if (colourDist(s, 0, centres[c]) < colourDist(s, 0, centres[best])) best = c;
      for (let ch = 0; ch < 3; ch++) sums[best][ch] += s[ch];
      sums[best][3]++;
      return best;
    });
    centres = centres.map((c, i) => (sums[i][3] ? sums[i].slice(0, 3).map((v) => v / sums[i][3]) : c));
  }
  const counts = centres.map((_, i) => members.filter((m) => m === i).length);
  return centres.filter((_, i) => counts[i] >= 0.05 * samples.length) as RGB[];
}

/** Colour distance (old-garment.ts's, hue over lightness) from a photo pixel to the nearest palette colour. */
function clothDistance(f: Frame, k: number, palette: RGB[]): number {
  const img = f.person.image;
  const o = f.index(k) * img.channels;
  let d = Infinity;
  for (const c of palette) d = Math.min(d, colourDist(img.data, o, c));
  return d;
}

/**
 * Drops what is not the garment's cloth: skin-like pixels far from its colours (skin inside a
 * wide neckline or below a crop top that the parsing called clothes), and limb or leg pixels
 * far from them (trousers around a hand in a pocket, taken for the end of a long sleeve), and
 * pixels of the other garment's colour far from them.
 */
function dropOffCloth(f: Frame, mask: Uint8Array, palette: RGB[], colours: PersonColours, category: GarmentCategory): void {
  const other = category === 'upper' ? colours.bottom : category === 'lower' ? colours.top : null;
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    const l = f.label(k);
    const d = clothDistance(f, k, palette);
    const o = f.index(k) * f.person.image.channels;
    const toSkin = colours.skin ? colourDist(f.person.image.data, o, colours.skin) : Infinity;
    const skinLike = (colours.skinModel && f.person.skin.data[f.index(k)] >= 160) || toSkin < SKIN_NEAR;
    const limb = LIMBS.has(l) || l === LABEL.legs;
    // The other garment's colour (a waistband under a tee's hem, a top's edge over trousers).
    const toOther = other ? colourDist(f.person.image.data, o, other) : Infinity;
    if ((skinLike && d > 35 && toSkin < d) || (limb && d > 50) || (toOther < 35 && d > 45)) mask[k] = 0;
  }
}

/** An arm's or a hand's pixel within its side's sleeve (other labels pass). */
function onSleeve(sk: Skeleton, label: number, px: number, py: number, ends: Record<Side, number>): boolean {
  if (label === LABEL.hands) return Math.max(ends.left, ends.right) >= 1.8;
  if (label !== LABEL.left_arm && label !== LABEL.right_arm) return true;
  const side: Side = label === LABEL.left_arm ? 'left' : 'right';
  return ends[side] > 0 && armT(sk, side, px, py) <= ends[side] + 0.08;
}

/** Morphological opening (4-neighbourhood, r steps each way): lines and specks thinner than 2r + 1 go. */
function opened(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return dilate(erode4(mask, w, h, r), w, h, r, mask);
}

/** The 4-connected parts of a mask with at least `share` of the largest part's area. */
function largeParts(mask: Uint8Array, w: number, h: number, share: number): Uint8Array {
  const id = new Int32Array(mask.length).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k] || id[k] >= 0) continue;
    const part = sizes.length;
    let size = 0;
    id[k] = part;
    stack.push(k);
    while (stack.length) {
      const m = stack.pop()!;
      size++;
      const x = m % w;
      for (const j of [x > 0 ? m - 1 : -1, x < w - 1 ? m + 1 : -1, m - w, m + w]) {
        if (j >= 0 && j < mask.length && mask[j] && id[j] < 0) {
          id[j] = part;
          stack.push(j);
        }
      }
    }
    sizes.push(size);
  }
  const keep = share * Math.max(0, ...sizes);
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < mask.length; k++) out[k] = id[k] >= 0 && sizes[id[k]] >= keep ? 1 : 0;
  return out;
}

/** Per crop pixel: the label, whether it is on the person, and where along the spine it lies. */
interface Frame {
  person: PersonAnalysis;
  box: Box;
  sk: Skeleton;
  /** Photo pixel index of crop pixel k. */
  index: (k: number) => number;
  label: (k: number) => number;
  onPerson: (k: number) => boolean;
  /** Fraction of the torso along the spine (0 shoulder line, 1 hip line) at crop pixel (x, y). */
  along: (x: number, y: number) => number;
  /** Distance across the spine, in shoulder widths, at crop pixel (x, y). */
  across: (x: number, y: number) => number;
}

function frameOf(person: PersonAnalysis, sk: Skeleton, box: Box): Frame {
  const idx = (k: number): number => (box.y + Math.floor(k / box.width)) * person.width + box.x + (k % box.width);
  const o = sk.shoulderMid;
  return {
    person,
    box,
    sk,
    index: idx,
    label: (k) => person.parsing.data[idx(k)],
    onPerson: (k) => person.mask.data[idx(k)] >= 128,
    along: (x, y) => ((box.x + x + 0.5 - o.x) * sk.down.x + (box.y + y + 0.5 - o.y) * sk.down.y) / sk.torsoLength,
    across: (x, y) => Math.abs((box.x + x + 0.5 - o.x) * -sk.down.y + (box.y + y + 0.5 - o.y) * sk.down.x) / sk.sw,
  };
}

function occludedGarment(person: PersonAnalysis, sk: Skeleton, category: GarmentCategory, box: Box, seen: Uint8Array): Uint8Array {
  const f = frameOf(person, sk, box);
  const { width: w, height: h } = box;
  const occluder = new Uint8Array(w * h);
  for (let k = 0; k < occluder.length; k++) occluder[k] = !seen[k] && f.onPerson(k) && OCCLUDERS.has(f.label(k)) ? 1 : 0;
  const holes = enclosed(seen, occluder, w, h, Math.round(0.5 * sk.sw));
  const raster = rasterBody(box, limbs(person, sk), torsoShape(person, sk));
  limbsOverBody(f, raster, category, seen, occluder, holes);
  if (category !== 'lower') hairOnShoulders(f, raster, seen, occluder, holes);
  else topOverWaist(f, seen, holes);
  return holes;
}

/**
 * Occluder pixels with garment on both sides along their row or column, the run between no
 * longer than `maxRun` and made of occluders only.
 */
function enclosed(seen: Uint8Array, occluder: Uint8Array, w: number, h: number, maxRun: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const scan = (count: number, length: number, at: (line: number, i: number) => number): void => {
    for (let line = 0; line < count; line++) {
      let start = -1; // first occluder of the current run, right after garment
      for (let i = 0; i < length; i++) {
        const k = at(line, i);
        if (seen[k]) {
          if (start >= 0 && i - start <= maxRun) for (let j = start; j < i; j++) out[at(line, j)] = 1;
          start = i + 1 < length && occluder[at(line, i + 1)] ? i + 1 : -1;
        } else if (!occluder[k]) start = -1;
      }
    }
  };
  scan(h, w, (y, x) => y * w + x);
  scan(w, h, (x, y) => y * w + x);
  return out;
}

/** The body's trunk (torso, shoulders, neck, legs) covers the pixel, whatever is in front. */
const onTrunk = (raster: BodyRaster, k: number): boolean => (raster.member[k] & (1 << (GROUP.trunk - 1))) !== 0;

/**
 * Walks each row both ways and calls `take` on every candidate pixel joined to a `seen` pixel
 * along the row through candidates only (`take` may mark `seen`: what it takes then joins on).
 */
function joinedAlongRows(w: number, h: number, seen: Uint8Array, candidate: (x: number, y: number, k: number) => boolean, take: (k: number) => void): void {
  for (let y = 0; y < h; y++) {
    for (const dir of [1, -1]) {
      let joined = false;
      for (let i = 0; i < w; i++) {
        const x = dir > 0 ? i : w - 1 - i;
        const k = y * w + x;
        if (seen[k]) joined = true;
        else if (joined && candidate(x, y, k)) take(k);
        else joined = false;
      }
    }
  }
}

/**
 * Arms and hands in front of the body where the garment is: on the trunk, below the armpits
 * (above them an arm beside a sleeveless top is not in front of it), joined along the row to
 * garment through such pixels.
 */
function limbsOverBody(f: Frame, raster: BodyRaster, category: GarmentCategory, seen: Uint8Array, occluder: Uint8Array, holes: Uint8Array): void {
  const { width: w, height: h } = f.box;
  const from = category === 'lower' ? WAIST_T : ARMPIT_T;
  const candidate = (x: number, y: number, k: number): boolean => occluder[k] === 1 && LIMBS.has(f.label(k)) && onTrunk(raster, k) && f.along(x, y) >= from;
  joinedAlongRows(w, h, seen, candidate, (k) => (holes[k] = 1));
}

/**
 * Hair over the shoulders: on the trunk, beside the neck (a hand's breadth off the spine) and
 * above the armpits, with garment below it in its column reached through hair alone.
 */
function hairOnShoulders(f: Frame, raster: BodyRaster, seen: Uint8Array, occluder: Uint8Array, holes: Uint8Array): void {
  const { width: w, height: h } = f.box;
  const reach = Math.round(0.35 * f.sk.sw);
  for (let x = 0; x < w; x++) {
    let below = -1; // row of the garment pixel the run of hair above it leads down to
    for (let y = h - 1; y >= 0; y--) {
      const k = y * w + x;
      if (seen[k]) {
        below = y;
        continue;
      }
      const hair = occluder[k] === 1 && f.label(k) === LABEL.hair;
      if (!hair || below < 0 || below - y > reach) {
        below = -1;
        continue;
      }
      if (onTrunk(raster, k) && f.along(x, y) < ARMPIT_T && f.across(x, y) > 0.22) holes[k] = 1;
    }
  }
}

/**
 * Cloth the parsing gave an arm (its capsule is wide over the shirt's side under a hanging
 * arm, or at a hand on the hip): below the armpits, not skin, the garment's colours, and
 * joined along its row to the garment.
 */
function underArms(f: Frame, seen: Uint8Array, colours: PersonColours, palette: RGB[]): void {
  const { width: w, height: h } = f.box;
  const candidate = (x: number, y: number, k: number): boolean => {
    if (!LIMBS.has(f.label(k)) || !f.onPerson(k) || f.along(x, y) < ARMPIT_T) return false;
    if (colours.skinModel && f.person.skin.data[f.index(k)] >= 128) return false;
    return clothDistance(f, k, palette) < 35;
  };
  joinedAlongRows(w, h, seen, candidate, (k) => (seen[k] = 1));
}

/**
 * A top hanging over trousers or a skirt hides their waistband: upper-garment pixels on the
 * person, from the lower garment up to a little above the hip joints (where the fit puts a
 * waistband it cannot see), in columns where the lower garment lies right under them.
 */
function topOverWaist(f: Frame, seen: Uint8Array, holes: Uint8Array): void {
  const { width: w, height: h } = f.box;
  const hipT = 1 - 0.2; // a fifth of the torso above the hip line
  for (let x = 0; x < w; x++) {
    let below = false; // lower garment right under the run of top pixels walked so far
    for (let y = h - 1; y >= 0; y--) {
      const k = y * w + x;
      if (seen[k]) {
        below = true;
        continue;
      }
      if (!below || f.label(k) !== LABEL.upper_clothes || !f.onPerson(k) || f.along(x, y) < hipT) {
        below = false;
        continue;
      }
      holes[k] = 1;
    }
  }
}
