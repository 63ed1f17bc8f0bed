/**
 * A sleeve's warp along its arm. The sleeve is cut into patches between "rungs": pairs of
 * (outer, inner) points across it, seam to cuff (shoulder point and armpit, the elbow's two
 * sides on a long sleeve, the cuff's two ends). Each patch is a bilinear quad: a point is
 * carried by its (u along, v across) coordinates in the garment's quad to the same coordinates
 * in the body's. The sleeve's outline (shoulder point to cuff, armpit to cuff) lands exactly on
 * the body's; width and length scale apart and the sleeve bends at the elbow without folding.
 * A spline or a similarity through the same points puffs a sleeve into a wing, and a frame
 * along the sleeve's middle puts a slanted seam (a tee laid flat) in the wrong place.
 *
 *   const m = sleeveMap(plan.pairs, side);   // body -> garment (the warp grid's direction)
 *   m.map(x, y);
 */
import type { Point } from '../types.ts';
import type { Correspondence } from './targets.ts';
import type { Tps } from './tps.ts';

type Rung = [outer: Point, inner: Point];

/** The point at (u, v) of the quad between rungs a and b (u from a to b, v from outer to inner). */
function bilinear(a: Rung, b: Rung, u: number, v: number): Point {
  const ax = a[0].x + (a[1].x - a[0].x) * v;
  const ay = a[0].y + (a[1].y - a[0].y) * v;
  const bx = b[0].x + (b[1].x - b[0].x) * v;
  const by = b[0].y + (b[1].y - b[0].y) * v;
  return { x: ax + (bx - ax) * u, y: ay + (by - ay) * u };
}

/** The bilinear map's Jacobian determinant at (u, v): its sign says which way the quad's sheet faces there. */
function jacobian(a: Rung, b: Rung, u: number, v: number): { pux: number; puy: number; pvx: number; pvy: number; det: number } {
  // Partial derivatives along u (rung to rung) and v (outer to inner).
  const pux = (b[0].x + (b[1].x - b[0].x) * v) - (a[0].x + (a[1].x - a[0].x) * v);
  const puy = (b[0].y + (b[1].y - b[0].y) * v) - (a[0].y + (a[1].y - a[0].y) * v);
  const pvx = (a[1].x - a[0].x) * (1 - u) + (b[1].x - b[0].x) * u;
  const pvy = (a[1].y - a[0].y) * (1 - u) + (b[1].y - b[0].y) * u;
  return { pux, puy, pvx, pvy, det: pux * pvy - puy * pvx };
}

/** Which way the quad between rungs a and b faces: the sign of its Jacobian at its middle. */
function facingOf(a: Rung, b: Rung): number {
  return Math.sign(jacobian(a, b, 0.5, 0.5).det);
}

/**
 * (u, v) of p in the quad between rungs a and b (extended past it), by Newton's method; null
 * when it does not settle, or settles on the map's second, folded sheet (a bilinear map takes
 * two (u, v) to most points; only the one on the quad's own side of its fold is the sleeve).
 */
function unbilinear(a: Rung, b: Rung, p: Point, facing: number): { u: number; v: number } | null {
  let u = 0.5;
  let v = 0.5;
  for (let it = 0; it < 12; it++) {
    const q = bilinear(a, b, u, v);
    const ex = q.x - p.x;
    const ey = q.y - p.y;
    const { pux, puy, pvx, pvy, det } = jacobian(a, b, u, v);
    if (Math.abs(det) < 1e-9) return null;
    const du = (ex * pvy - ey * pvx) / det;
    const dv = (pux * ey - puy * ex) / det;
    u -= du;
    v -= dv;
    if (Math.abs(du) + Math.abs(dv) < 1e-6) return Math.sign(jacobian(a, b, u, v).det) === facing ? { u, v } : null;
  }
  return null;
}

/** The (outer, inner) rungs of a sleeve's correspondences, seam to cuff, on one side of them. */
function rungs(pairs: Correspondence[], side: string, which: 'garment' | 'body'): Rung[] {
  const at = (name: string): Point | undefined => pairs.find((p) => p.name === name)?.[which];
  const names: [string, string][] = [[`shoulder_${side}`, `armpit_${side}`], [`elbow_${side}_out`, `elbow_${side}_in`], [`cuff_${side}_out`, `cuff_${side}_in`]];
  const out: Rung[] = [];
  for (const [o, i] of names) {
    const po = at(o);
    const pi = at(i);
    if (po && pi) out.push([po, pi]);
  }
  return out;
}

/**
 * How far (u, v) lies outside patch k: along the sleeve (its last patch open past the cuff; on
 * the body's side of the seam the main part's warp holds) and across it.
 */
function outside(u: number, v: number, k: number, last: number): { along: number; across: number } {
  // Inside the seam the sleeve need only tuck under the main part: its patch, extended there,
  // bends back on itself (the body's seam runs nearly along a hanging arm), so it ends soon.
  const along = k === last && u > 1 ? 0 : k === 0 && u < 0 ? -u * SEAM_SIDE : Math.max(-u, u - 1, 0);
  return { along, across: Math.max(-v, v - 1, 0) };
}

export interface SleeveMap extends Tps {
  /**
   * How much the map holds at a point, 0..1: 1 within its patches, fading out past them.
   * (Extending a patch far past its neighbour's rung lands inside the garment again and draws
   * the sleeve twice, ballooning; a hard cut there shows the warp grid's steps.)
   */
  hold(x: number, y: number): number;
  /** map and hold at once (one search for the point's patch). */
  sample(x: number, y: number): { x: number; y: number; hold: number };
}

/**
 * Where the hold fades, in patch lengths along the sleeve and widths across it. Across is
 * generous: the sleeve's texture holds only its own cloth (sleeveCloth), so far across there is
 * nothing to draw. Along is tight: a patch extended past its neighbour's rung finds the sleeve
 * again there.
 */
const FADE_ALONG = [0.15, 0.3] as const;
/** How much faster the hold fades inside the seam than past a rung between patches. */
const SEAM_SIDE = 3;
const FADE_ACROSS = [1.0, 1.5] as const;

const fade = (x: number, [a, b]: readonly [number, number]): number => Math.min(Math.max((b - x) / (b - a), 0), 1);

/**
 * The sleeve's map between body and garment (`inverse`: body -> garment, as the warp grid needs;
 * else garment -> body), from its plan's correspondences (shoulder point, armpit, cuff, and the
 * elbow for a long sleeve).
 */
export function sleeveMap(pairs: Correspondence[], side: string, inverse = true): SleeveMap {
  const body = rungs(pairs, side, 'body');
  const garment = rungs(pairs, side, 'garment');
  if (body.length < 2 || body.length !== garment.length) throw new Error(`sleeveMap: the ${side} sleeve needs its seam and cuff points on both sides`);
  const [from, to] = inverse ? [body, garment] : [garment, body];
  return new PatchMap(pairs.length, from, to);
}

/**
 * The patches' map. A class rather than closures per map: every sleeve map then shares its
 * functions, which the engine optimises once instead of once per pair.
 */
class PatchMap implements SleeveMap {
  private readonly last: number;
  /** Per patch, once: which way it faces (unbilinear keeps to that sheet). */
  private readonly facing: number[];

  constructor(
    readonly size: number,
    private readonly from: Rung[],
    private readonly to: Rung[],
  ) {
    this.last = from.length - 2;
    this.facing = from.slice(0, -1).map((r, k) => facingOf(r, from[k + 1]));
  }

  /** The patch a point belongs to: the one it lies along (nearest, then least far across). */
  private locate(x: number, y: number): { k: number; u: number; v: number; along: number; across: number } | null {
    const { from, facing, last } = this;
    let best: { k: number; u: number; v: number; along: number; across: number } | null = null;
    for (let k = 0; k <= last; k++) {
      const uv = unbilinear(from[k], from[k + 1], { x, y }, facing[k]);
      if (!uv) continue;
      const o = outside(uv.u, uv.v, k, last);
      if (!best || o.along < best.along - 1e-9 || (Math.abs(o.along - best.along) <= 1e-9 && o.across < best.across)) best = { k, ...uv, ...o };
    }
    return best;
  }

  sample(x: number, y: number): { x: number; y: number; hold: number } {
    const at = this.locate(x, y);
    // Far outside the garment photo: samples as transparent.
    if (!at) return { x: -1e6, y: -1e6, hold: 0 };
    const p = bilinear(this.to[at.k], this.to[at.k + 1], at.u, at.v);
    return { x: p.x, y: p.y, hold: fade(at.along, FADE_ALONG) * fade(at.across, FADE_ACROSS) };
  }

  map(x: number, y: number): Point {
    const s = this.sample(x, y);
    return { x: s.x, y: s.y };
  }

  hold(x: number, y: number): number {
    return this.sample(x, y).hold;
  }
}

/** How far past its corners' straight lines (in sleeve widths) a sleeve's cloth may bulge and still be sleeve. */
const CLOTH_ACROSS = 0.35;

/**
 * Whether a garment pixel is cloth of this sleeve: within the garment's sleeve quad (seam to
 * cuff), give or take a baggy sleeve's bulge. What lies beyond a side's seam but far off the
 * sleeve (a shoulder the analysis put inside the seam, a ruffle) is left to the main part,
 * whose warp keeps it by the body; the sleeve's warp would carry it out beside the arm.
 */
export function sleeveCloth(pairs: Correspondence[], side: string): (x: number, y: number) => boolean {
  const g = rungs(pairs, side, 'garment');
  if (g.length < 2) return () => true;
  const seam = g[0];
  const cuff = g[g.length - 1];
  const facing = facingOf(seam, cuff);
  return (x, y) => {
    const uv = unbilinear(seam, cuff, { x, y }, facing);
    return uv !== null && uv.u <= 1.15 && uv.v >= -CLOTH_ACROSS && uv.v <= 1 + CLOTH_ACROSS;
  };
}
