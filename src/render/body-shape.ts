/**
 * The body as the render sees it, from the pose: the skeleton's bones as capsules (where the
 * body is, with an anti-aliased outline), positions along an arm, the limbs' and torso's
 * roundness (the form shading of painted skin) and the painted skin's grain. Pure geometry of
 * a Body: shared by the per-person facts (facts.ts) and the per-pixel roles (roles.ts).
 */
import type { Point } from '../types.ts';
import type { Body } from '../fit/body.ts';

export interface Capsule {
  a: Point;
  b: Point;
  r: number;
  /** Its bounding box with a margin (r + 2): beyond it capsuleCover is 0 without computing. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function capsule(a: Point, b: Point, r: number): Capsule {
  const m = Math.abs(r) + 2;
  return { a, b, r, x0: Math.min(a.x, b.x) - m, y0: Math.min(a.y, b.y) - m, x1: Math.max(a.x, b.x) + m, y1: Math.max(a.y, b.y) + m };
}

/** How far inside a capsule a pixel is, 0..1 over a 2-px ramp at its outline (anti-aliased). */
export function capsuleCover(x: number, y: number, c: Capsule): number {
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

/** Projection of p on segment a->b: fraction t (clamped) and squared distance. */
export function project(x: number, y: number, a: Point, b: Point): { t: number; d2: number } {
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const len2 = abx * abx + aby * aby || 1;
  const t = Math.min(Math.max(((x - a.x) * abx + (y - a.y) * aby) / len2, 0), 1);
  return { t, d2: (x - a.x - abx * t) ** 2 + (y - a.y - aby * t) ** 2 };
}

/** Position along an arm: 0 shoulder, 1 elbow, 2 wrist (nearest segment). */
export function sleeveT(body: Body, side: 'left' | 'right', x: number, y: number): number {
  const up = project(x, y, body.shoulder[side], body.elbow[side]);
  const fore = project(x, y, body.elbow[side], body.wrist[side]);
  return fore.d2 < up.d2 ? 1 + fore.t : up.t;
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

export function limb(a: Point, b: Point, r: number, capped: boolean): Limb {
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
