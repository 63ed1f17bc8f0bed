/**
 * FashionAI-style landmarks from the geometry of a garment mask (front-view product photo).
 * Upper garments and a dress's top read the mask's rows, columns and outline:
 * - the neckline corners are the highest points of the top profile either side of the
 *   centre; when they nearly meet (a stand collar, a bow) the neckline ends where the
 *   collar's steep sides meet the shoulders' slope. Centre front is
 *   the neckline dip, or the strongest horizontal edge under it when the inside back of the
 *   neck fills the dip;
 * - armpits, shoulders and sleeve openings come from src/garment/sleeves.ts;
 * - the hem corners are the bottom outer corners of the body (a curved hem's sides, not the
 *   middle of its lowest row), left of sleeves that hang lower than the hem;
 * Lower garments: waistband and leg openings are run ends of the top and bottom rows, the
 * crotch the top of the gap between the legs.
 * The wearer's left is the IMAGE RIGHT.
 */
import type { FoundLandmarks, GarmentCategory, GarmentLandmarkName, Point, SleeveLength } from '../types.ts';
import { traceOutline } from './contour.ts';
import { firstInColumn, P, rowsOf, runAt, wedgeApex, type Rows } from './profiles.ts';
import { columnBottoms, sideLandmarks, type SideLandmarks, type TopFrame } from './sleeves.ts';

export interface MaskGeometry {
  landmarks: FoundLandmarks;
  sleeve: SleeveLength;
  cropped: boolean;
  warnings: string[];
}

/** A neckline corner: the highest point of the top profile on one side of the centre (sign -1: the image left, the wearer's right). */
function necklineCorner(g: Rows, cx: number, bw: number, sign: number): Point {
  let best = -1, bestY = Infinity;
  for (let k = Math.round(0.02 * bw); k <= Math.round(0.42 * bw); k++) {
    const x = cx + sign * k;
    if (x < 0 || x >= g.w) break;
    const y = firstInColumn(g, x);
    if (y >= 0 && y < bestY - 1) { bestY = y; best = x; }
  }
  return best < 0 ? P(cx + sign * 0.1 * bw, g.top) : P(best, bestY);
}

/**
 * The base of a collar or bow standing above the shoulders: walking out from its top corner,
 * where the top profile's steep side gives way to the shoulder's gentler slope. The corner
 * itself when there is no steep side, or no shoulder after it.
 */
function collarBase(g: Rows, corner: Point, cx: number, bw: number, sign: number): Point {
  const win = Math.max(2, Math.round(0.03 * bw));
  const top = (x: number): number => firstInColumn(g, x);
  let steep = false;
  for (let x = corner.x; sign * (x - cx) <= 0.35 * bw; x += sign) {
    const y0 = top(x), y1 = top(x + sign * win);
    if (y0 < 0 || y1 < 0) break;
    const slope = (y1 - y0) / win;
    if (slope >= 1.5) steep = true;
    else if (steep && slope < 0.7) return shouldersFrom(g, x, bw, sign) ? P(x, y0) : corner;
  }
  return corner;
}

/**
 * Shoulders run out from x: the top profile keeps a gentle slope a good way (a halter's
 * neck band drops into the armhole at once: its neckline is the band's top).
 */
function shouldersFrom(g: Rows, x0: number, bw: number, sign: number): boolean {
  const win = Math.max(2, Math.round(0.03 * bw));
  for (let x = x0; sign * (x - x0) < 0.12 * bw; x += sign) {
    const y0 = firstInColumn(g, x), y1 = firstInColumn(g, x + sign * win);
    if (y0 < 0 || y1 < 0 || (y1 - y0) / win > 1.2) return false;
  }
  return true;
}

/** The neckline's two ends (image left = the wearer's right first). */
function necklineCorners(g: Rows, cx: number, bw: number): { right: Point; left: Point; top: number } {
  let right = necklineCorner(g, cx, bw, -1);
  let left = necklineCorner(g, cx, bw, 1);
  const top = Math.min(right.y, left.y);
  if (left.x - right.x < 0.15 * bw) {
    right = collarBase(g, right, cx, bw, -1);
    left = collarBase(g, left, cx, bw, 1);
  }
  return { right, left, top };
}

/** The hem's row: the lowest row where the body (the run through the centre) is still wide; ties, strings and sleeves hanging lower do not count. */
function hemRow(g: Rows, cx: number, bw: number, neckY: number): number {
  let hemY = g.bottom;
  for (let y = g.bottom; y > neckY; y--) {
    const r = runAt(g, y, cx);
    if (r && r[0] <= cx && r[1] >= cx && r[1] - r[0] >= 0.2 * bw) { hemY = y; break; }
  }
  return Math.max(neckY + 1, hemY - Math.max(1, Math.round(0.008 * g.h)));
}

/** Centre front: the dip of the neckline, or the strongest edge under a filled-in dip. */
function centreFront(f: TopFrame, L: Float32Array | null, neckW: number): Point {
  const { g, cx, neckY, hemY } = f;
  const w = g.w;
  const dipTop = firstInColumn(g, cx);
  let cfY = dipTop;
  if (dipTop - neckY < 0.25 * neckW && L) {
    // The collar band (rib, the inside of the back neck) lies between the silhouette's top
    // and the front neckline: take the lowest of the strong horizontal edges under the top.
    const y0 = Math.max(dipTop + 3, neckY + Math.round(0.1 * neckW));
    const y1 = Math.min(hemY - 1, neckY + Math.round(0.7 * neckW));
    const gs: number[] = [];
    for (let y = y0; y <= y1; y++) {
      let gsum = 0;
      // Only inside the garment: the silhouette's own top edge is not the front neckline.
      let inside = true;
      for (let dx = -2; dx <= 2; dx++) {
        gsum += Math.abs(L[(y + 1) * w + cx + dx] - L[(y - 1) * w + cx + dx]);
        inside &&= g.bin[(y - 2) * w + cx + dx] === 1;
      }
      gs.push(inside ? gsum : 0);
    }
    const bestG = Math.max(0, ...gs);
    cfY = Math.round(neckY + 0.35 * neckW);
    if (bestG >= 5 * 4) for (let i = gs.length - 1; i >= 0; i--) if (gs[i] >= 0.6 * bestG) { cfY = y0 + i; break; }
  }
  return P(cx, Math.max(cfY, neckY));
}

/**
 * A bottom corner of the body: of the runs through the centre in the rows from `fromY` down,
 * the end farthest down and out (largest y + distance from the centre), so a curved hem's
 * side is found, not the middle of its lowest row. `clip`: the inner line of a sleeve that
 * lies over the body and hangs past the hem (the body's corner is hidden under it).
 */
function bottomCorner(g: Rows, cx: number, fromY: number, sign: number, clip: number | null): Point {
  let best = P(cx, g.bottom), bestV = -Infinity;
  for (let y = Math.max(g.top, Math.round(fromY)); y <= g.bottom; y++) {
    const r = runAt(g, y, cx);
    if (!r || r[0] > cx || r[1] < cx) continue;
    let x = sign < 0 ? r[0] : r[1];
    if (clip !== null) x = sign < 0 ? Math.max(x, clip + 1) : Math.min(x, clip - 1);
    const v = y + sign * (x - cx);
    if (v > bestV) { bestV = v; best = P(x, y); }
  }
  return best;
}

/** A dress's waist: the narrowest row of the body under the armpits. */
function waistCorners(f: TopFrame, lowPit: number): { right: Point; left: Point } {
  const { g, cx, hemY } = f;
  let bestY = lowPit + 1, bestW = Infinity;
  const y0 = Math.round(lowPit + Math.max(2, 0.05 * (hemY - lowPit)));
  const y1 = Math.round(lowPit + 0.45 * (hemY - lowPit));
  for (let y = y0; y <= y1; y++) {
    const r = runAt(g, y, cx);
    if (r && r[1] - r[0] < bestW) { bestW = r[1] - r[0]; bestY = y; }
  }
  const r = runAt(g, bestY, cx) ?? [g.left, g.right];
  return { right: P(r[0], bestY), left: P(r[1], bestY) };
}

/** The neckline, shoulders, armpits, cuffs and hem of an upper garment or a dress's top. */
function upperLandmarks(g: Rows, L: Float32Array | null, dress: boolean): { lm: FoundLandmarks; sleeve: SleeveLength; cropped: boolean; warnings: string[] } {
  const warnings: string[] = [];
  const bw = g.right - g.left + 1;
  const cx = Math.round(g.cx);
  const lm: FoundLandmarks = {};
  const neck = necklineCorners(g, cx, bw);
  lm.neckline_right = neck.right;
  lm.neckline_left = neck.left;
  // The frame's top row is the neck's top (a collar's or a bow's), wherever the neckline's ends went.
  const neckY = neck.top;
  const hemY = hemRow(g, cx, bw, neckY);
  const f: TopFrame = {
    g, dress, cx, bw, neckY, hemY, span: hemY - neckY, k: Math.max(2, Math.round(0.012 * g.h)),
    outline: traceOutline(g.bin, g.w, g.h),
    neck: (sign) => (sign < 0 ? neck.right : neck.left),
  };
  const cf = centreFront(f, L, Math.max(4, neck.left.x - neck.right.x));
  // Under a collar the front neckline runs below its base.
  lm.center_front = P(cf.x, Math.max(cf.y, Math.max(neck.right.y, neck.left.y) + 2));

  const colBottom = columnBottoms(f);
  const right = sideLandmarks(f, colBottom, -1, warnings);
  const left = sideLandmarks(f, colBottom, 1, warnings);
  const put = (s: SideLandmarks, name: 'right' | 'left'): void => {
    lm[`armpit_${name}`] = s.armpit;
    lm[`shoulder_${name}`] = s.shoulder;
    lm[`cuff_${name}_out`] = s.cuffOut;
    lm[`cuff_${name}_in`] = s.cuffIn;
  };
  put(right, 'right');
  put(left, 'left');
  const sleeve = sleeveLength(right, left);

  const hemFrom = hemY - 0.25 * (hemY - Math.max(right.armpit.y, left.armpit.y));
  // A sleeve whose opening hangs below that lies over the body's side: cut at its inner line.
  const clip = (s: SideLandmarks): number | null => (s.sleeved && Math.max(s.cuffIn.y, s.cuffOut.y) > hemFrom ? s.cuffIn.x : null);
  if (dress) {
    const waist = waistCorners(f, Math.max(right.armpit.y, left.armpit.y));
    lm.top_hem_right = waist.right;
    lm.top_hem_left = waist.left;
    lm.hemline_right = bottomCorner(g, cx, hemFrom, -1, clip(right));
    lm.hemline_left = bottomCorner(g, cx, hemFrom, 1, clip(left));
  } else {
    lm.top_hem_right = bottomCorner(g, cx, hemFrom, -1, clip(right));
    lm.top_hem_left = bottomCorner(g, cx, hemFrom, 1, clip(left));
  }
  // Cropped: neckline to hem short against the shoulder width (a tee is about twice as long).
  const shoulderW = Math.max(1, left.shoulder.x - right.shoulder.x);
  const cropped = !dress && hemY - neckY < 1.25 * shoulderW;
  return { lm, sleeve, cropped, warnings };
}

/**
 * Sleeve length from the longer sleeve's underarm (armpit to the opening's inner end) against
 * the chest (armpit to armpit): a tee's is a small part of it, a long sleeve's about one.
 */
function sleeveLength(right: SideLandmarks, left: SideLandmarks): SleeveLength {
  const len = (s: SideLandmarks): number => (s.sleeved ? Math.hypot(s.cuffIn.x - s.armpit.x, s.cuffIn.y - s.armpit.y) : 0);
  const l = Math.max(len(right), len(left));
  const chestW = Math.max(1, left.armpit.x - right.armpit.x);
  return l === 0 ? 'none' : l > 0.55 * chestW ? 'long' : 'short';
}

/** Waistband, crotch and leg openings of trousers, jeans, shorts or a skirt. */
function lowerLandmarks(g: Rows): { lm: FoundLandmarks; warnings: string[] } {
  const { w, bin } = g;
  const warnings: string[] = [];
  const bw = g.right - g.left + 1;
  const cx = Math.round(g.cx);
  const lm: FoundLandmarks = {};
  const wy = g.top + Math.max(1, Math.round(0.01 * g.h));
  const wr = runAt(g, wy, cx) ?? [g.left, g.right];
  lm.waistband_right = P(wr[0], wy);
  lm.waistband_left = P(wr[1], wy);

  // Crotch: the highest end of a top run among central columns (top of the leg gap).
  let crotchY = Infinity;
  const xsAt: number[] = [];
  for (let x = Math.round(cx - 0.2 * bw); x <= Math.round(cx + 0.2 * bw); x++) {
    if (x < 0 || x >= w) continue;
    let y = firstInColumn(g, x);
    if (y < 0) continue;
    while (y <= g.bottom && bin[y * w + x]) y++;
    const end = y - 1;
    if (end >= g.bottom - Math.round(0.02 * g.h)) continue;
    if (end < crotchY - 1) { crotchY = end; xsAt.length = 0; }
    if (Math.abs(end - crotchY) <= 1) xsAt.push(x);
  }
  const legs = Number.isFinite(crotchY);
  let crotchX = legs ? xsAt[xsAt.length >> 1] : cx;
  if (legs) {
    const apex = wedgeApex(g, P(crotchX, crotchY + 1), 0.25 * (g.bottom - g.top));
    if (apex.y > wy) { crotchX = Math.round(apex.x); crotchY = Math.round(apex.y); }
  }
  lm.crotch = P(crotchX, legs ? crotchY : g.bottom);
  if (!legs) warnings.push('no gap between legs: treated as a skirt');

  // Leg openings: run ends near the bottom of each side.
  const leg = (sign: number) => {
    let bottom = -1;
    for (let y = g.bottom; y >= g.top && bottom < 0; y--) {
      for (let x = 0; x < w; x++) {
        if (bin[y * w + x] && sign * (x - crotchX) > 0) { bottom = y; break; }
      }
    }
    const y = Math.max(g.top, bottom - Math.max(1, Math.round(0.008 * g.h)));
    let lo = Infinity, hi = -Infinity;
    for (let x = 0; x < w; x++) {
      if (!bin[y * w + x] || sign * (x - crotchX) <= 0) continue;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    if (!legs) {
      // A skirt's hem: outer ends, and "inner" points a little either side of the centre.
      return sign < 0 ? { out: P(lo, y), inn: P(crotchX - 0.05 * bw, y) } : { out: P(hi, y), inn: P(crotchX + 0.05 * bw, y) };
    }
    return sign < 0 ? { out: P(lo, y), inn: P(hi, y) } : { out: P(hi, y), inn: P(lo, y) };
  };
  const r = leg(-1);
  const l = leg(1);
  lm.bottom_right_out = r.out;
  lm.bottom_right_in = r.inn;
  lm.bottom_left_out = l.out;
  lm.bottom_left_in = l.inn;
  return { lm, warnings };
}

/**
 * Landmarks of a category from a 0/1 work mask, scaled to full-resolution pixels (`scale`
 * full pixels per work pixel). `L` (work-resolution lightness) sharpens the centre front.
 */
export function maskLandmarks(
  bin: Uint8Array,
  w: number,
  h: number,
  scale: number,
  category: GarmentCategory,
  L: Float32Array | null,
): MaskGeometry {
  const g = rowsOf(bin, w, h);
  let lm: FoundLandmarks;
  let sleeve: SleeveLength = 'none';
  let cropped = false;
  let warnings: string[];
  if (category === 'lower') {
    ({ lm, warnings } = lowerLandmarks(g));
  } else {
    const u = upperLandmarks(g, L, category === 'dress');
    ({ lm, sleeve, cropped, warnings } = u);
  }
  const out: FoundLandmarks = {};
  for (const [name, p] of Object.entries(lm) as [GarmentLandmarkName, Point][]) {
    out[name] = { x: Math.round(((p.x + 0.5) * scale - 0.5) * 10) / 10, y: Math.round(((p.y + 0.5) * scale - 0.5) * 10) / 10 };
  }
  return { landmarks: out, sleeve, cropped, warnings };
}

