/**
 * The definition of the per-pixel roles the composite graph needs, read from the person's
 * parsing (src/render/masks.ts caches them per person and assembles a crop's): what stays in
 * front of the new garment, which arm pixels are in front of its main part, what is old
 * garment to replace, where the body is (skin) versus backdrop, and the form shading.
 *
 * Upper garment and dress: hair, face, neck and hands stay in front; arms are in front of the
 * shirt's body but under its sleeves; the old top (and an old sleeve's fabric on the arms,
 * told from skin by the skin likelihood) is replaced. A dress also replaces the old trousers
 * or skirt. Lower garment: the top, arms and hands stay in front; the old trousers/skirt are
 * replaced and where the new ones do not reach they become leg skin.
 */
import { LABEL, type GarmentCategory, type PersonAnalysis, type Point, type RGB } from '../types.ts';
import type { Body } from '../fit/body.ts';
import type { PersonState } from './state.ts';

interface Capsule {
  a: Point;
  b: Point;
  r: number;
  /** Its bounding box with a margin (r + 2): beyond it capsuleCover is 0 without computing. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function capsule(a: Point, b: Point, r: number): Capsule {
  const m = Math.abs(r) + 2;
  return { a, b, r, x0: Math.min(a.x, b.x) - m, y0: Math.min(a.y, b.y) - m, x1: Math.max(a.x, b.x) + m, y1: Math.max(a.y, b.y) + m };
}

/** How far inside a capsule a pixel is, 0..1 over a 2-px ramp at its outline (anti-aliased). */
function capsuleCover(x: number, y: number, c: Capsule): number {
  // (Off its box the pixel is more than r + 2 from the bone: 0, as computed below.)
  if (x < c.x0 || x > c.x1 || y < c.y0 || y > c.y1) return 0;
  const abx = c.b.x - c.a.x;
  const aby = c.b.y - c.a.y;
  const len2 = abx * abx + aby * aby || 1;
  const t = Math.min(Math.max(((x - c.a.x) * abx + (y - c.a.y) * aby) / len2, 0), 1);
  const dx = x - c.a.x - abx * t;
  const dy = y - c.a.y - aby * t;
  const d2 = dx * dx + dy * dy;
  if (d2 <= (c.r - 1) * (c.r - 1)) return 1;
  if (d2 >= (c.r + 1) * (c.r + 1)) return 0;
  return (c.r + 1 - Math.sqrt(d2)) / 2;
}

/** A repeatable noise value in about -1..1 (triangular) for a pixel: the painted skin's grain. */
export function grain(x: number, y: number): number {
  let h = Math.imul(x, 374761393) + Math.imul(y, 668265263);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return ((h & 0xff) + ((h >>> 8) & 0xff)) / 255 - 1;
}

/** Relative luminance grain of real skin (neighbour differences), clamped to a believable range. */
export function grainAmplitude(sumSq: number, n: number, meanLum: number): number {
  if (n < 50 || meanLum <= 0) return 0.015;
  return Math.min(Math.max(Math.sqrt(sumSq / n / 2) / meanLum, 0.006), 0.035);
}

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

/**
 * The arm's own outline, for painting skin where an old sleeve was: capsules along the bones
 * as wide as the arm's visible skin (its bare forearm, or upper arm below the sleeve), not as
 * the sleeve, which stands off the arm. Null when the arm shows too little skin to measure.
 */
function armRadii(body: Body, side: 'left' | 'right', sleeveEnd: number, skinModel: boolean): { up: number; fore: number } | null {
  const W = body.shoulderWidth;
  const p = body.person;
  const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
  const segs = [
    { a: body.shoulder[side], b: body.elbow[side], from: Math.max(sleeveEnd + 0.1, 0.45), to: 0.9 },
    { a: body.elbow[side], b: body.wrist[side], from: Math.max(sleeveEnd - 1 + 0.1, 0.1), to: 0.85 },
  ];
  const widths = segs.map(({ a, b, from, to }) => {
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (to - from < 0.2 || len < 4) return null;
    const reach = 0.25 * W;
    const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
    const x1 = Math.min(p.width - 1, Math.ceil(Math.max(a.x, b.x) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
    const y1 = Math.min(p.height - 1, Math.ceil(Math.max(a.y, b.y) + reach));
    let n = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * p.width + x;
        if (p.parsing.data[i] !== label || (skinModel && p.skin.data[i] < 150)) continue;
        const { t, d2 } = project(x + 0.5, y + 0.5, a, b);
        if (t > from && t < to && d2 < reach * reach) n++;
      }
    }
    // Skin area over the length sampled: the mean width (a slice of it must be mostly seen).
    // (Over 1.15: the arm's anti-aliased outline is not counted as skin.)
    const w = (1.15 * n) / ((to - from) * len);
    return w > 0.08 * W ? w : null;
  });
  let [up, fore] = widths.map((w) => (w === null ? null : w / 2));
  // An upper arm is about a quarter wider than its forearm.
  if (fore !== null) up = Math.max(up ?? 0, 1.25 * fore);
  if (fore === null && up !== null) fore = up / 1.25;
  if (up === null || fore === null) return null;
  return { up: Math.min(Math.max(up, 0.07 * W), 0.22 * W), fore: Math.min(Math.max(fore, 0.05 * W), 0.18 * W) };
}

/**
 * The arms' capsules: as measured (an arm without bare skin takes the other arm's width);
 * null when neither arm shows enough skin (sleeves to the wrists), as then the sleeves'
 * outline, long sleeves being mostly fitted, is the better guess of the arms.
 */
function armShape(body: Body, sleeves: { left: number; right: number }, skinModel: boolean): Capsule[] | null {
  const left = armRadii(body, 'left', sleeves.left, skinModel);
  const right = armRadii(body, 'right', sleeves.right, skinModel);
  const r = { left: left ?? right, right: right ?? left };
  if (!r.left || !r.right) return null;
  return (['left', 'right'] as const).flatMap((side) => [capsule(body.shoulder[side], body.elbow[side], r[side]!.up), capsule(body.elbow[side], body.wrist[side], r[side]!.fore)]);
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

/** Projection of p on segment a->b: fraction t (clamped) and squared distance. */
function project(x: number, y: number, a: Point, b: Point): { t: number; d2: number } {
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const len2 = abx * abx + aby * aby || 1;
  const t = Math.min(Math.max(((x - a.x) * abx + (y - a.y) * aby) / len2, 0), 1);
  return { t, d2: (x - a.x - abx * t) ** 2 + (y - a.y - aby * t) ** 2 };
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

/** Whether the person analysis has a skin model (it has none when the face was not visible); kept in the person's state. */
export function hasSkinModel(state: PersonState): boolean {
  if (state.skinModel === undefined) {
    const person = state.person;
    let has = false;
    if (person.skinColor[0] + person.skinColor[1] + person.skinColor[2] !== 0) {
      const d = person.skin.data;
      for (let i = 0; i < d.length && !has; i += 97) has = d[i] > 0;
    }
    state.skinModel = has;
  }
  return state.skinModel;
}

/** Median colour of the pixels with one of `labels` (every 3rd pixel); null when none. */
export function medianColour(person: PersonAnalysis, labels: ReadonlySet<number>): RGB | null {
  // Histogram medians over every 5th pixel: a whole photo in a few milliseconds.
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const { data } = person.parsing;
  const img = person.image;
  const want = new Uint8Array(256);
  for (const l of labels) want[l] = 1;
  let n = 0;
  for (let i = 0; i < data.length; i += 5) {
    if (!want[data[i]]) continue;
    for (let c = 0; c < 3; c++) hist[c][img.data[i * img.channels + c]]++;
    n++;
  }
  if (n < 20) return null;
  return hist.map((h) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += h[v]) * 2 >= n) return v;
    return 255;
  }) as RGB;
}

export interface PersonFacts {
  skinModel: boolean;
  top: RGB | null;
  bottom: RGB | null;
  backdrop: RGB | null;
  hair: RGB | null;
  skinRef: RGB | null;
  sleeves: { left: number; right: number };
  /** The arms' own outline (see armShape), for skin painted where an old sleeve was; null when unknown. */
  arms: Capsule[] | null;
}

/** What the masks need to know about a person regardless of the garment: computed once, kept in the person's state. */
export function personFacts(state: PersonState): PersonFacts {
  if (!state.facts) {
    const { person: p, body } = state;
    const skinModel = hasSkinModel(state);
    const top = medianColour(p, new Set([LABEL.upper_clothes]));
    // Without a skin model (no face to sample) a sleeve is told by colour alone: arm slices the
    // colour of the old top, and unlike the skin of the hands and neck.
    const skinRef = skinModel ? p.skinColor : medianColour(p, new Set([LABEL.hands, LABEL.neck, LABEL.torso_skin]));
    const sleeves = { left: oldSleeveEnd(body, 'left', top, skinRef, skinModel), right: oldSleeveEnd(body, 'right', top, skinRef, skinModel) };
    const bottom = medianColour(p, new Set([LABEL.lower_clothes]));
    const backdrop = medianColour(p, new Set([LABEL.background]));
    const hair = medianColour(p, new Set([LABEL.hair]));
    const arms = armShape(body, sleeves, skinModel);
    state.facts = { skinModel, top, bottom, backdrop, hair, skinRef, sleeves, arms };
  }
  return state.facts;
}

/** The colour to paint uncovered skin with: the analysis's, or when it has none the arms' and legs'; kept in the person's state. */
export function fillSkinColour(state: PersonState): RGB {
  const person = state.person;
  if (hasSkinModel(state)) return person.skinColor;
  // Hands and neck are bare far more often than arms and legs. (Two scans of the photo:
  // done once per person, not per pair.)
  state.fillColour ??=
    medianColour(person, new Set([LABEL.hands, LABEL.neck, LABEL.torso_skin])) ??
    medianColour(person, new Set([LABEL.left_arm, LABEL.right_arm, LABEL.legs])) ?? [190, 150, 125];
  return state.fillColour;
}

/**
 * Colour distance that weighs hue over lightness (opponent channels, lightness at half): the
 * lit and the shaded side of one sleeve are the same cloth, while skin and grey cloth of the
 * same lightness are not.
 */
function colourDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const dl = (a[0] + a[1] + a[2] - b[0] - b[1] - b[2]) / 3;
  const d1 = a[0] - a[1] - (b[0] - b[1]);
  const d2 = (a[0] + a[1]) / 2 - a[2] - ((b[0] + b[1]) / 2 - b[2]);
  return Math.hypot(0.5 * dl, d1, d2);
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

/** Position along an arm: 0 shoulder, 1 elbow, 2 wrist (nearest segment). */
function sleeveT(body: Body, side: 'left' | 'right', x: number, y: number): number {
  const up = project(x, y, body.shoulder[side], body.elbow[side]);
  const fore = project(x, y, body.elbow[side], body.wrist[side]);
  return fore.d2 < up.d2 ? 1 + fore.t : up.t;
}

/**
 * Where the person's own sleeve ends on an arm (0..2 as sleeveT; 0 = bare arm): the arm is
 * cut in slices along its length and the sleeve runs from the shoulder while the slices'
 * median skin likelihood stays low. Slices, not pixels: the arm's anti-aliased edge has low
 * skin likelihood too and must not count as fabric.
 */
export function oldSleeveEnd(body: Body, side: 'left' | 'right', top: RGB | null, skinRef: RGB | null, skinModel: boolean): number {
  const p = body.person;
  if (!skinModel && !top) return 0;
  const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
  const bins = 20;
  const values: number[][] = Array.from({ length: bins }, () => []);
  const colours: number[][][] = Array.from({ length: bins }, () => [[], [], []]);
  const median = (v: number[]): number => v.sort((a, c) => a - c)[Math.floor(v.length / 2)];
  const pts = [body.shoulder[side], body.elbow[side], body.wrist[side]];
  const pad = 0.3 * body.shoulderWidth;
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q.x)) - pad));
  const x1 = Math.min(p.width - 1, Math.ceil(Math.max(...pts.map((q) => q.x)) + pad));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q.y)) - pad));
  const y1 = Math.min(p.height - 1, Math.ceil(Math.max(...pts.map((q) => q.y)) + pad));
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      const i = y * p.width + x;
      if (p.parsing.data[i] !== label) continue;
      const t = sleeveT(body, side, x + 0.5, y + 0.5);
      const b = Math.min(bins - 1, Math.floor((t / 2) * bins));
      values[b].push(p.skin.data[i]);
      for (let c = 0; c < 3; c++) colours[b][c].push(p.image.data[i * p.image.channels + c]);
    }
  }
  let end = 0;
  for (let b = 0; b < bins; b++) {
    const v = values[b];
    if (v.length < 4) continue;
    // Fabric: not skin, and (when the old top is known) the old top's colour.
    // Colour decides first (the skin likelihood accepts grey cloth on dark skin): a slice is
    // sleeve when it is clearly nearer the old top's colour than the skin's.
    const c = colours[b].map(median);
    const dTop = top ? colourDist(c, top) : Infinity;
    const dSkin = skinRef ? colourDist(c, skinRef) : Infinity;
    const fabric = (dTop < 70 && dTop < dSkin - 15) || (skinModel && median(v) < 60 && dTop < 70);
    if (fabric) end = ((b + 1) / bins) * 2;
    else break;
  }
  return end;
}

/**
 * Cylinder-like shading of the body at a point, 0.78..1: across the nearest limb (within its
 * rough radius) or else across the torso from its centre line (body.centreAt(y), or `centre`
 * where given: the callers that shade whole rows look it up once a row).
 */
export function formShade(body: Body, x: number, y: number, limbs: Limb[] = limbsOf(body), centre?: number): number {
  let best = Infinity;
  for (const { a, b, r, capped, x0, y0, x1, y1 } of limbs) {
    // (Off the limb's box the pixel is beyond 1.3 r of the bone: not within its reach below.)
    if (x < x0 || x > x1 || y < y0 || y > y1) continue;
    const { t, d2 } = project(x, y, a, b);
    // Not the shoulder's or hip's end cap of the upper segments: the torso shades those.
    if (t <= 0 && capped) continue;
    const q = Math.sqrt(d2) / r;
    if (q < 1.3 && q < best) best = q;
  }
  if (best < Infinity) return 1 - 0.22 * Math.min(best, 1) ** 2;
  // (centre: body.centreAt(y), when the caller has it for the row.)
  const dx = Math.abs(x - (centre ?? body.centreAt(y))) / (0.65 * body.shoulderWidth);
  return 1 - 0.15 * Math.min(dx, 1) ** 2;
}

export interface Limb {
  a: Point;
  b: Point;
  r: number;
  capped: boolean;
  /** Its bounding box with a margin (1.3 r + 2): beyond it formShade ignores the limb without computing. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function limb(a: Point, b: Point, r: number, capped: boolean): Limb {
  // (Only a positive radius has a reach: q below would be negative or NaN otherwise.)
  const m = r > 0 ? 1.3 * r + 2 : Infinity;
  return { a, b, r, capped, x0: Math.min(a.x, b.x) - m, y0: Math.min(a.y, b.y) - m, x1: Math.max(a.x, b.x) + m, y1: Math.max(a.y, b.y) + m };
}

export function limbsOf(body: Body): Limb[] {
  const W = body.shoulderWidth;
  const limbs: Limb[] = [];
  for (const side of ['left', 'right'] as const) {
    limbs.push(limb(body.shoulder[side], body.elbow[side], 0.13 * W, true));
    limbs.push(limb(body.elbow[side], body.wrist[side], 0.1 * W, false));
    limbs.push(limb(body.hip[side], body.knee[side], 0.2 * W, true));
    limbs.push(limb(body.knee[side], body.ankle[side], 0.13 * W, false));
  }
  return limbs;
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

export function roleContext(state: PersonState, category: GarmentCategory): RoleContext {
  const body = state.body;
  const upper = category !== 'lower';
  const caps = bodyShape(body);
  const known = personFacts(state);
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

