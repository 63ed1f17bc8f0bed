/**
 * The garment's landmarks as the fit uses them: missing ones filled from the mask's box, and
 * the garment analysis's likely mistakes repaired where the garment itself says so (a sleeve
 * shorter than its twin or without a cuff is mirrored, an armpit placed too low moves up to
 * where the sleeve leaves the body's side, a collapsed waistband is read off the mask's top).
 */
import type { DressLandmarks, FoundLandmarks, GarmentAnalysis, GarmentLandmarkName, LowerLandmarks, Point, UpperLandmarks } from '../types.ts';
import { dist, mid, SIDES, type Side } from './body.ts';

/** Every landmark the defaults name: the found one where there is one, else the default. */
function fill<N extends GarmentLandmarkName>(found: FoundLandmarks, defaults: Record<N, Point>): Record<N, Point> {
  const lm = {} as Record<N, Point>;
  for (const name of Object.keys(defaults) as N[]) lm[name] = found[name] ?? defaults[name];
  return lm;
}

/** Garment mask bounding box, the fallback frame for missing landmarks. */
function maskBox(g: GarmentAnalysis): { x0: number; y0: number; x1: number; y1: number } {
  const { data, width, height } = g.mask;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      if (data[y * width + x] > 127) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return { x0: 0, y0: 0, x1: width - 1, y1: height - 1 };
  return { x0, y0, x1, y1 };
}

/** A point of the mask's box by fractions of its width and height. */
function boxPoint(g: GarmentAnalysis): (fx: number, fy: number) => Point {
  const b = maskBox(g);
  return (fx, fy) => ({ x: b.x0 + (b.x1 - b.x0) * fx, y: b.y0 + (b.y1 - b.y0) * fy });
}

/**
 * Every landmark of an upper garment or a dress (the hemline too: an upper garment's is
 * unused): those the analysis could not place from its mask box (front view, wearer's left on
 * image right), then the sleeves and armpits repaired.
 */
export function completeUpper(g: GarmentAnalysis): DressLandmarks {
  const at = boxPoint(g);
  const hem = g.category === 'dress' ? 0.45 : 1;
  const lm = fill(g.landmarks, {
    neckline_left: at(0.62, 0), neckline_right: at(0.38, 0), center_front: at(0.5, 0.08),
    shoulder_left: at(0.8, 0.05), shoulder_right: at(0.2, 0.05), armpit_left: at(0.8, 0.3), armpit_right: at(0.2, 0.3),
    cuff_left_in: at(0.95, 0.35), cuff_left_out: at(1, 0.25), cuff_right_in: at(0.05, 0.35), cuff_right_out: at(0, 0.25),
    top_hem_left: at(0.8, hem), top_hem_right: at(0.2, hem),
    hemline_left: at(0.85, 1), hemline_right: at(0.15, 1),
  });
  if (g.sleeve !== 'none') {
    refineArmpits(g, lm);
    repairSleeves(lm);
  }
  return lm;
}

/** Every landmark of a lower garment: those the analysis could not place from its mask box, then the waistband repaired. */
export function completeLower(g: GarmentAnalysis): LowerLandmarks {
  const at = boxPoint(g);
  const lm = fill(g.landmarks, {
    waistband_left: at(0.85, 0), waistband_right: at(0.15, 0), crotch: at(0.5, 0.3),
    bottom_left_in: at(0.6, 1), bottom_left_out: at(0.95, 1), bottom_right_in: at(0.4, 1), bottom_right_out: at(0.05, 1),
  });
  repairWaistband(g, lm);
  return lm;
}

/**
 * The armpit is where the sleeve's underside meets the body's side: going down the mask from
 * the shoulders, the first row whose outline (scanned out from the centre, so a sleeve hanging
 * apart is not counted) is back to about the body's width lower down. An armpit placed too low
 * would hand a strip of the body's side to the sleeve, which then streaks down the arm.
 */
function refineArmpits(g: GarmentAnalysis, lm: UpperLandmarks): void {
  const cx = (lm.shoulder_left.x + lm.shoulder_right.x) / 2;
  const sgn = Math.sign(lm.shoulder_left.x - lm.shoulder_right.x) || 1;
  const yS = (lm.shoulder_left.y + lm.shoulder_right.y) / 2;
  const yH = (lm.top_hem_left.y + lm.top_hem_right.y) / 2;
  const gw = Math.abs(lm.shoulder_left.x - lm.shoulder_right.x);
  if (!(yH > yS + 10)) return;
  for (const side of SIDES) {
    const s = side === 'left' ? sgn : -sgn;
    const reach = (y: number): number | null => {
      const span = maskSpan(g, cx, y);
      return span ? (s > 0 ? span.r - cx : cx - span.l) : null;
    };
    const refs: number[] = [];
    for (const t of [0.65, 0.7, 0.75]) {
      const r = reach(yS + (yH - yS) * t);
      if (r !== null) refs.push(r);
    }
    if (refs.length === 0) continue;
    const ref = Math.min(...refs);
    const step = Math.max(1, (yH - yS) / 200);
    for (let y = yS + 0.1 * (yH - yS); y < yS + 0.7 * (yH - yS); y += step) {
      const r = reach(y);
      if (r !== null && r <= ref * 1.08 + 0.02 * gw) {
        if (y < lm[`armpit_${side}`].y - 0.03 * (yH - yS)) lm[`armpit_${side}`] = { x: cx + s * r, y };
        break;
      }
    }
  }
}

/** A waistband narrower than half the leg openings' span was misplaced: take the mask's top edge. */
function repairWaistband(g: GarmentAnalysis, lm: LowerLandmarks): void {
  const wb = dist(lm.waistband_left, lm.waistband_right);
  const legs = dist(lm.bottom_left_out, lm.bottom_right_out);
  if (wb >= 0.5 * legs) return;
  const cx = lm.crotch.x;
  const { data, width, height } = g.mask;
  let top = -1;
  for (let y = 0; y < height && top < 0; y++) if (data[y * width + Math.round(cx)] >= 128) top = y;
  if (top < 0) return;
  const y = top + 0.02 * height;
  const span = maskSpan(g, cx, y);
  if (!span) return;
  const sgn = Math.sign(lm.bottom_left_out.x - lm.bottom_right_out.x) || 1;
  lm.waistband_left = { x: sgn > 0 ? span.r : span.l, y };
  lm.waistband_right = { x: sgn > 0 ? span.l : span.r, y };
}

/**
 * A sleeve whose cuff is not out beyond its seam, or is much shorter than the other, was
 * most likely misplaced by the landmark search: mirror the other sleeve across the centre.
 */
function repairSleeves(lm: UpperLandmarks): void {
  const cx = (lm.shoulder_left.x + lm.shoulder_right.x) / 2;
  const sgn = Math.sign(lm.shoulder_left.x - lm.shoulder_right.x) || 1;
  const w = Math.abs(lm.shoulder_left.x - lm.shoulder_right.x);
  const len = (side: Side): number => dist(mid(lm[`shoulder_${side}`], lm[`armpit_${side}`]), mid(lm[`cuff_${side}_out`], lm[`cuff_${side}_in`]));
  const ok = (side: Side): boolean => {
    const s = side === 'left' ? sgn : -sgn;
    const seamX = Math.max(lm[`shoulder_${side}`].x * s, lm[`armpit_${side}`].x * s);
    const outX = lm[`cuff_${side}_out`].x * s;
    // A cuff whose two ends (nearly) coincide was not found either.
    const cuffWidth = dist(lm[`cuff_${side}_out`], lm[`cuff_${side}_in`]);
    return len(side) > 0.15 * w && outX > seamX + 0.03 * w && cuffWidth > 0.06 * w;
  };
  const good = { left: ok('left'), right: ok('right') };
  if (good.left && good.right) {
    // Sleeves are mirror images: the shorter or less outward one is the mistake.
    const reach = (side: Side): number => (mid(lm[`cuff_${side}_out`], lm[`cuff_${side}_in`]).x - cx) * (side === 'left' ? sgn : -sgn);
    if (len('left') < 0.5 * len('right') || reach('left') < reach('right') - 0.25 * w) good.left = false;
    else if (len('right') < 0.5 * len('left') || reach('right') < reach('left') - 0.25 * w) good.right = false;
  }
  for (const [bad, from] of [['left', 'right'], ['right', 'left']] as [Side, Side][]) {
    if (good[bad] || !good[from]) continue;
    const mirror = (p: Point): Point => ({ x: 2 * cx - p.x, y: p.y });
    lm[`cuff_${bad}_out`] = mirror(lm[`cuff_${from}_out`]);
    lm[`cuff_${bad}_in`] = mirror(lm[`cuff_${from}_in`]);
  }
}

/** The garment mask's run through (cx, y): its left and right edge x; null when (cx, y) is outside. */
export function maskSpan(g: GarmentAnalysis, cx: number, y: number): { l: number; r: number } | null {
  const { data, width, height } = g.mask;
  const yi = Math.round(y);
  const xi = Math.round(cx);
  if (yi < 0 || yi >= height || xi < 0 || xi >= width || data[yi * width + xi] < 128) return null;
  return { l: runEdge(data, width, xi, yi, -1), r: runEdge(data, width, xi, yi, 1) };
}

/** The last mask pixel (+ 0.5) of row yi from xi going `dir`, across gaps of up to 3 px. */
function runEdge(data: Uint8Array, width: number, xi: number, yi: number, dir: number): number {
  let x = xi;
  let gap = 0;
  let last = xi;
  while (x >= 0 && x < width) {
    if (data[yi * width + x] >= 128) {
      last = x;
      gap = 0;
    } else if (++gap > 3) break;
    x += dir;
  }
  return last + 0.5;
}
