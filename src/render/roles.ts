/**
 * The definition of the per-pixel roles the composite graph needs, read from the person's
 * parsing and facts (facts.ts; masks.ts keeps them per person and assembles a crop's): what
 * stays in front of the new garment, which arm pixels are in front of its main part, what is
 * old garment to replace, where the body is (skin) versus backdrop (body-shape.ts: the form
 * shading).
 *
 * Upper garment and dress: hair, face, neck and hands stay in front; arms are in front of the
 * shirt's body but under its sleeves; the old top (and an old sleeve's fabric on the arms,
 * told from skin by the skin likelihood) is replaced. A dress also replaces the old trousers
 * or skirt. Lower garment: the top, arms and hands stay in front; the old trousers/skirt are
 * replaced and where the new ones do not reach they become leg skin.
 */
import { LABEL, type GarmentCategory, type PersonAnalysis, type RGB } from '../types.ts';
import type { Body } from '../fit/body.ts';
import { capsule, capsuleCover, project, sleeveT, type Capsule } from './body-shape.ts';
import type { PersonFacts } from './facts.ts';

/** Indices of the leg capsules in bodyShape's list. */
const LEG_CAPSULES = new Set([2, 3, 7, 8]);

/** A rough body silhouette (limbs as capsules, the torso as thick segments) for skin versus backdrop. */
function bodyShape(body: Body): Capsule[] {
  const W = body.shoulderWidth;
  const caps: Capsule[] = [];
  for (const side of ['left', 'right'] as const) {
    caps.push(capsule(body.shoulder[side], body.elbow[side], 0.14 * W));
    caps.push(capsule(body.elbow[side], body.wrist[side], 0.11 * W));
    caps.push(capsule(body.hip[side], body.knee[side], 0.19 * W));
    caps.push(capsule(body.knee[side], body.ankle[side], 0.12 * W));
    caps.push(capsule(body.shoulder[side], body.hip[side], 0.3 * W));
  }
  caps.push(capsule(body.shoulderMid, body.hipMid, 0.45 * W));
  caps.push(capsule(body.shoulderMid, { x: body.shoulderMid.x, y: body.shoulderMid.y - 0.4 * W }, 0.15 * W));
  return caps;
}

/** torsoCover's lengths: the spine's, and the hips' half-span with a margin. */
interface TorsoSpans {
  len: number;
  hips: number;
}

function torsoSpans(body: Body): TorsoSpans {
  const a = body.shoulderMid;
  const b = body.hipMid;
  return {
    len: Math.hypot(b.x - a.x, b.y - a.y) || 1,
    hips: 0.5 * Math.hypot(body.hip.left.x - body.hip.right.x, body.hip.left.y - body.hip.right.y) + 0.12 * body.shoulderWidth,
  };
}

/**
 * How much a pixel is inside the torso, 0..1: a tapered band along the spine from the
 * shoulder joints' half-span at the top to a little more than the hip joints' at the hips
 * (the hip joints sit inside the hips' outline), with a 2-px ramp at its edge.
 */
function torsoCover(body: Body, spans: TorsoSpans, x: number, y: number): number {
  const a = body.shoulderMid;
  const b = body.hipMid;
  const len = spans.len;
  const ux = (b.x - a.x) / len;
  const uy = (b.y - a.y) / len;
  const along = (x - a.x) * ux + (y - a.y) * uy;
  const top = 0.5 * body.shoulderWidth;
  const d = Math.abs((x - a.x) * uy - (y - a.y) * ux);
  // Above the shoulder line only the slope from the neck to the shoulders (the trapezius,
  // highest at the neck): the shoulders' round tops are the arms' capsules.
  const above = body.shoulderWidth * (0.25 - 0.15 * Math.min(d / top, 1));
  if (along < -above - 1) return 0;
  const t = Math.min(Math.max(along / len, 0), 1);
  const hips = spans.hips;
  const r = top + (hips - top) * t;
  return Math.min(Math.max((r + 1 - d) / 2, 0), 1, Math.max((along + above + 1) / 2, 0));
}

/** Whether a point is above the line through the shoulder joints (along the spine). */
function aboveShoulders(body: Body, x: number, y: number): boolean {
  const { shoulderMid: a, down } = body;
  return (x - a.x) * down.x + (y - a.y) * down.y < 0;
}

/**
 * How much an arm pixel is in front of the new garment's main part, 0..255. The parsing
 * calls the whole shoulder cap "arm", but the shirt's shoulder covers that: only the arm
 * below the armpit (the upper arm's lower half, the forearm) passes in front of the torso.
 */
function armFrontness(body: Body, side: 'left' | 'right', x: number, y: number): number {
  const up = project(x, y, body.shoulder[side], body.elbow[side]);
  const fore = project(x, y, body.elbow[side], body.wrist[side]);
  if (fore.d2 < up.d2) return 255;
  return Math.round(255 * Math.min(Math.max((up.t - 0.4) / 0.2, 0), 1));
}

function nearBackground(labels: Uint8Array, width: number, height: number, x: number, y: number, r: number): boolean {
  for (const [dx, dy] of [[r, 0], [-r, 0], [0, r], [0, -r]]) {
    const xx = x + dx;
    const yy = y + dy;
    if (xx < 0 || yy < 0 || xx >= width || yy >= height || labels[yy * width + xx] === LABEL.background) return true;
  }
  return false;
}

/**
 * The label a hair/face pixel stands for: its own when it belongs to a blob at least ~9 px
 * across in some direction, else the surrounding label (the clothes it is a speck on).
 */
export function speckLabel(labels: Uint8Array, width: number, height: number, x: number, y: number, l: number): number {
  const r = 4;
  let other = -1;
  let same = 0;
  for (const [dx, dy] of [[r, 0], [-r, 0], [0, r], [0, -r]]) {
    const xx = x + dx;
    const yy = y + dy;
    if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
    const v = labels[yy * width + xx];
    if (v === LABEL.hair || v === LABEL.face) same++;
    else if (other < 0) other = v;
  }
  return same >= 2 || other < 0 ? l : other;
}

/** colourDist of the photo's pixel at img[o..o+3] (no subarray per pixel): the same arithmetic, the same value. */
function colourDistAt(img: Uint8Array, o: number, b: ArrayLike<number>): number {
  const a0 = img[o];
  const a1 = img[o + 1];
  const a2 = img[o + 2];
  const dl = (a0 + a1 + a2 - b[0] - b[1] - b[2]) / 3;
  const d1 = a0 - a1 - (b[0] - b[1]);
  const d2 = (a0 + a1) / 2 - a2 - ((b[0] + b[1]) / 2 - b[2]);
  return Math.hypot(0.5 * dl, d1, d2);
}

/**
 * The sign of colourDistAt(img, o, b) - t, mostly without Math.hypot (slow): the squared
 * distance decides unless it is within 1e-9 of t squared (far beyond both roundings), where
 * colourDistAt itself does. So the same answers as comparing colourDistAt with t.
 */
function colourCmp(img: Uint8Array, o: number, b: ArrayLike<number>, t: number): number {
  const a0 = img[o];
  const a1 = img[o + 1];
  const a2 = img[o + 2];
  const dl = (a0 + a1 + a2 - b[0] - b[1] - b[2]) / 3;
  const d1 = a0 - a1 - (b[0] - b[1]);
  const d2 = (a0 + a1) / 2 - a2 - ((b[0] + b[1]) / 2 - b[2]);
  const s = 0.25 * dl * dl + d1 * d1 + d2 * d2;
  const t2 = t * t;
  if (s < t2 * (1 - 1e-9)) return -1;
  if (s > t2 * (1 + 1e-9)) return 1;
  return Math.sign(Math.hypot(0.5 * dl, d1, d2) - t);
}

/** The sign of Math.hypot(img[o..o+3] - c) - t, as colourCmp (the RGB distance, for hair and backdrop colours). */
function rgbCmp(img: Uint8Array, o: number, c: ArrayLike<number>, t: number): number {
  const d0 = img[o] - c[0];
  const d1 = img[o + 1] - c[1];
  const d2 = img[o + 2] - c[2];
  const s = d0 * d0 + d1 * d1 + d2 * d2;
  const t2 = t * t;
  if (s < t2 * (1 - 1e-9)) return -1;
  if (s > t2 * (1 + 1e-9)) return 1;
  return Math.sign(Math.hypot(d0, d1, d2) - t);
}

/** Distance from a point to the nearer arm's bones (shoulder-elbow-wrist). */
function armDistance(body: Body, x: number, y: number): number {
  let d2 = Infinity;
  for (const side of ['left', 'right'] as const) {
    d2 = Math.min(d2, project(x, y, body.shoulder[side], body.elbow[side]).d2, project(x, y, body.elbow[side], body.wrist[side]).d2);
  }
  return Math.sqrt(d2);
}

/** Whether an arm is nearer the camera than the torso (BlazePose z), so it is drawn in front of the shirt. */
function armInFront(body: Body, side: 'left' | 'right'): boolean {
  const arm = body.depth(`${side}_elbow`, `${side}_wrist`);
  const torso = body.depth('left_shoulder', 'right_shoulder', 'left_hip', 'right_hip');
  return arm - torso < 0.5 * body.shoulderWidth;
}

type Side = 'left' | 'right';

/** What the pixel roles read about a person under a garment category, but no neckline: built once per (analysis, category). */
export interface RoleContext {
  body: Body;
  category: GarmentCategory;
  upper: boolean;
  known: PersonFacts;
  front: Record<Side, boolean>;
  caps: Capsule[];
  /** The capsules with slack (legs excepted), where the person mask says body. */
  loose: Capsule[];
  shoulderY: number;
  hairR: number;
  capY: Record<Side, number>;
  hipY: number;
  sleeves: { left: number; right: number };
  torso: TorsoSpans;
}

export function roleContext(body: Body, known: PersonFacts, category: GarmentCategory): RoleContext {
  const upper = category !== 'lower';
  const caps = bodyShape(body);
  const W = body.shoulderWidth;
  return {
    body,
    category,
    upper,
    known,
    front: { left: armInFront(body, 'left'), right: armInFront(body, 'right') },
    caps,
    // Legs get no slack: the person mask there is a skirt's or wide trousers' outline, not legs.
    loose: caps.map((c, k) => capsule(c.a, c.b, LEG_CAPSULES.has(k) ? c.r : c.r * 1.6)),
    shoulderY: Math.min(body.shoulder.left.y, body.shoulder.right.y),
    // Hair (by label, or by colour where the parsing called it clothes) within 8 % of the
    // shoulder width in one of the four directions.
    hairR: Math.round(0.08 * W),
    capY: { left: body.shoulder.left.y + 0.35 * W, right: body.shoulder.right.y + 0.35 * W },
    hipY: Math.min(body.hip.left.y, body.hip.right.y) - 0.1 * W,
    sleeves: upper ? known.sleeves : { left: 0, right: 0 },
    torso: torsoSpans(body),
  };
}

function nearHair(c: RoleContext, x: number, y: number): boolean {
  const p = c.body.person;
  const labels = p.parsing.data;
  const img = p.image.data;
  const ch = p.image.channels;
  const hair = c.known.hair;
  // (Plain loops, not arrays of offsets: this runs for most of an old top's pixels.)
  for (let k = 0; k < 2; k++) {
    const d = k === 0 ? c.hairR : c.hairR >> 1;
    for (let q = 0; q < 4; q++) {
      const xx = x + (q === 0 ? d : q === 1 ? -d : 0);
      const yy = y + (q === 2 ? d : q === 3 ? -d : 0);
      if (xx < 0 || yy < 0 || xx >= p.width || yy >= p.height) continue;
      const j = yy * p.width + xx;
      if (labels[j] === LABEL.hair) return true;
      if (hair && rgbCmp(img, j * ch, hair, 30) < 0) return true;
    }
  }
  return false;
}

/** One pixel's roles, 0..255 each as the mask channels (skinSrc: a source of the skin statistics). */
export interface Roles {
  label: number;
  occ: number;
  arm: number;
  old: number;
  inside: number;
  skin: number;
  skinSrc: boolean;
}

export const newRoles = (): Roles => ({ label: 0, occ: 0, arm: 0, old: 0, inside: 0, skin: 0, skinSrc: false });

/**
 * How much an old-garment pixel is body (skin may be painted there) rather than backdrop.
 * Inside the body: the skeleton's capsules, or the person mask not far outside them (a broad
 * body is wider than the capsules; a wide skirt's hem is not body). Soft: the capsules'
 * outlines ramp over 2 px, and the person mask's own anti-aliased edge limits them, so the
 * new skin's outline is smooth where it meets the backdrop.
 */
export function insideWhereOld(c: RoleContext, px: number, py: number, l: number, notBody: boolean): number {
  if (notBody) return 0;
  const { body, caps, loose, known } = c;
  const p = body.person;
  const m = p.mask.data[py * p.width + px];
  let inside = 0;
  if (c.upper && known.arms && (l === LABEL.left_arm || l === LABEL.right_arm || aboveShoulders(body, px + 0.5, py + 0.5))) {
    // An old sleeve, or old clothes above the shoulder line: skin only on the arm's own
    // outline, the torso and the neck. The sleeve's fabric standing off the arm (and the
    // parsing's arm reaching into the backdrop) becomes backdrop, not a block of skin the
    // sleeve's shape. (Not when no arm shows skin to measure: long sleeves to the wrists
    // are mostly fitted, and their outline is the better guess of the arm's.)
    inside = torsoCover(body, c.torso, px + 0.5, py + 0.5);
    for (const cap of known.arms) if (inside < 1) inside = Math.max(inside, capsuleCover(px + 0.5, py + 0.5, cap));
    inside = Math.max(inside, capsuleCover(px + 0.5, py + 0.5, caps[caps.length - 1]));
  } else {
    for (let k = 0; k < caps.length && inside < 1; k++) {
      inside = Math.max(inside, capsuleCover(px + 0.5, py + 0.5, caps[k]), m > 127 ? capsuleCover(px + 0.5, py + 0.5, loose[k]) : 0);
    }
  }
  return Math.round(inside * Math.min(255, m * 1.5));
}

/**
 * The roles of photo pixel (px, py) whose label, after the speck test, is `l`, under a garment
 * of c.category with its neckline at row neckY (Infinity: none). The definition of the masks:
 * the cached planes hold its results and are checked against it (buildMasksDirect).
 */
export function pixelRoles(c: RoleContext, px: number, py: number, l: number, neckY: number, r: Roles): void {
  const { body, upper, category, known } = c;
  const { skinModel, top, bottom, backdrop, hair, skinRef } = known;
  const p = body.person;
  const i = py * p.width + px;
  const skin = p.skin.data;
  const img = p.image.data;
  const ch = p.image.channels;
  // Wide trousers beside a hanging arm: the parsing often calls them arm or hand (or backdrop). Not skin, the
  // trousers' colour and away from the arm's bones, they are the old trousers.
  let notBody = false;
  // (Or backdrop, inside the person mask.)
  if (category !== 'upper' && (l === LABEL.left_arm || l === LABEL.right_arm || l === LABEL.hands || (l === LABEL.background && p.mask.data[i] > 127)) && bottom && py > c.hipY && (!skinModel || skin[i] < 100)) {
    if (colourCmp(img, i * ch, bottom, 45) < 0 && (!skinRef || colourCmp(img, i * ch, skinRef, 60) > 0) && armDistance(body, px + 0.5, py + 0.5) > 0.1 * body.shoulderWidth) {
      l = LABEL.lower_clothes;
      notBody = true;
    }
  }
  // Backdrop the parsing (and the person mask) took for arm, off the arm's bone: with a
  // light top on a light backdrop it would pass for the old sleeve and be painted skin.
  // (Not on the shoulder cap, where a white top's sleeve on a light backdrop is likelier.)
  if ((l === LABEL.left_arm || l === LABEL.right_arm) && backdrop && (!skinModel || skin[i] < 100) && py > c.capY[l === LABEL.left_arm ? 'left' : 'right']) {
    if (rgbCmp(img, i * ch, backdrop, 16) < 0 && armDistance(body, px + 0.5, py + 0.5) > 0.06 * body.shoulderWidth) l = LABEL.background;
  }
  // Hair falling on the shoulders that the parsing calls clothes: painted over with skin it
  // leaves a brown block under the hair. Above the shoulders and the hair's colour, it is hair.
  if (l === LABEL.upper_clothes && hair && py < c.shoulderY && (!top || colourCmp(img, i * ch, top, 30) > 0)) {
    if (rgbCmp(img, i * ch, hair, 30) < 0) l = LABEL.hair;
  }
  let occ = 0;
  let arm = 0;
  let old = 0;
  let skinSrc = 0;
  switch (l) {
    case LABEL.hair:
    case LABEL.face:
    case LABEL.hands:
      occ = 255;
      if (l === LABEL.hands) skinSrc = skinModel ? skin[i] : 255;
      break;
    case LABEL.neck:
      occ = upper && py < neckY ? 255 : 0;
      skinSrc = 255;
      break;
    case LABEL.legs:
    case LABEL.torso_skin:
      skinSrc = 255;
      break;
    case LABEL.upper_clothes:
      // (Skin the parsing called clothes is kept by the composite's colour test, not here:
      // the skin likelihood also accepts grey cloth on dark skin.)
      // Well above the new neckline "clothes" are more likely the parsing's mistake (long
      // hair, the neck) than a collar: kept. (Skin-coloured ones nearer are kept by the
      // composite's colour test.)
      if (upper) {
        old = neckRamp(body, py, neckY);
        // Unless it is plainly the old top's colour (its shoulder seam above a high
        // halter neckline): that is no mistake of the parsing and must go.
        // (Not next to hair: hair's edge blended with the backdrop can pass for a grey top.)
        if (old < 255 && top && colourCmp(img, i * ch, top, 25) < 0 && (!skinRef || colourCmp(img, i * ch, skinRef, 60) > 0) && !nearHair(c, px, py)) old = 255;
      } else occ = 255;
      break;
    case LABEL.lower_clothes:
      if (category !== 'upper') old = 255;
      break;
    case LABEL.left_arm:
    case LABEL.right_arm: {
      const side = l === LABEL.left_arm ? 'left' : 'right';
      if (upper) {
        arm = c.front[side] ? armFrontness(body, side, px + 0.5, py + 0.5) : 0;
        // An old sleeve: arm pixels from the shoulder down to where the sleeve ends.
        // Beyond it, only clearly non-skin pixels away from the backdrop count: the old
        // top's side seen past a hanging arm, not the arm's anti-aliased outline.
        // (dTop exactly only where it is below 45: the test after needs its value.)
        const dTop = top && colourCmp(img, i * ch, top, 45) < 0 ? colourDistAt(img, i * ch, top) : Infinity;
        const fabric = dTop < 45 && (!skinRef || dTop < colourDistAt(img, i * ch, skinRef) - 25) && (!skinModel || skin[i] < 128) && !nearBackground(p.parsing.data, p.width, p.height, px, py, 4);
        old = sleeveT(body, side, px + 0.5, py + 0.5) < c.sleeves[side] || fabric ? 255 : 0;
        skinSrc = (skinModel ? skin[i] > 200 : true) && !old ? 255 : 0;
      } else occ = 255;
      break;
    }
    case LABEL.shoes:
      occ = upper ? 0 : 255;
      break;
    default:
      break;
  }
  r.label = l;
  r.occ = occ;
  r.arm = arm;
  r.old = old;
  r.skin = skinSrc > 200 && old === 0 && (!skinModel || skin[i] > 150) ? 255 : 0;
  r.skinSrc = skinSrc > 200;
  // Any body part is body (the old garment's rim is dilated into them in the composite).
  r.inside = l !== LABEL.background && old === 0 ? 255 : old > 0 ? insideWhereOld(c, px, py, l, notBody) : 0;
}

/** The old top's replacement above the new neckline, 0..255: none well above it, all from 0.12 shoulder widths above. */
export function neckRamp(body: Body, py: number, neckY: number): number {
  return Math.round(255 * Math.min(Math.max((py - (neckY - 0.22 * body.shoulderWidth)) / (0.1 * body.shoulderWidth), 0), 1));
}

/** The label the roles start from: hair and face specks below the neckline (anywhere without one) take their surroundings'. */
export function startLabel(p: PersonAnalysis, px: number, py: number, neckY: number): number {
  const l = p.parsing.data[py * p.width + px];
  // Specks of hair or face inside the clothes (a dark mesh or print the parsing misread)
  // are not in front of the new garment: they would show as dots through it. A real
  // strand of hair is wider than the probes' reach in one direction at least.
  if ((l === LABEL.hair || l === LABEL.face) && py > (neckY === Infinity ? -1 : neckY)) return speckLabel(p.parsing.data, p.width, p.height, px, py, l);
  return l;
}
