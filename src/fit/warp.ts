/**
 * From a fit plan to what the render graph samples: the crop of the photo the garment can
 * touch, and a coarse grid (every ~8 px) of the INVERSE warp, output pixel -> garment pixel,
 * for the main part and each sleeve. The graph upsamples the grid (Resize) and samples the
 * garment (GridSample), so the thin-plate splines are evaluated only at grid points here.
 *
 * Grid layout, [1, 9, rows, cols] float32: for map m (0 main, 1 left sleeve, 2 right sleeve)
 * channels 3m, 3m+1 hold GridSample coordinates (x, y in -1..1, align_corners = 0) and 3m+2
 * the map's allowance 0..1 (a sleeve's map only holds near its own arm).
 */
import type { Box, GarmentAnalysis, Point } from '../types.ts';
import { dist, type Side } from './body.ts';
import type { Correspondence, FitPlan, SleevePlan } from './targets.ts';
import { fitTps, type Tps } from './tps.ts';
import { sleeveMap, type SleeveMap } from './sleeve-map.ts';

export interface WarpGrid {
  /** The crop of the person photo, integer pixels. */
  box: Box;
  cols: number;
  rows: number;
  /** [9, rows, cols]. */
  data: Float32Array;
}

/** Regularisation of the splines: a touch of stiffness so crowded targets cannot fold the garment. */
const LAMBDA_MAIN = 2e-3;
const LAMBDA_SLEEVE = 1e-3;
/** Grid spacing in output pixels. */
export const GRID_STEP = 8;
/** A value far outside -1..1: GridSample's zero padding makes it transparent. */
const OFF = -4;

function inverse(pairs: Correspondence[], lambda: number): Tps {
  return fitTps(pairs.map((p) => p.body), pairs.map((p) => p.garment), lambda);
}

function forward(pairs: Correspondence[], lambda: number): Tps {
  return fitTps(pairs.map((p) => p.garment), pairs.map((p) => p.body), lambda);
}

/** Distance from p to a polyline. */
function polylineDistance(p: Point, line: Point[]): number {
  if (line.length === 1) return dist(p, line[0]);
  let best = Infinity;
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i];
    const b = line[i + 1];
    const abx = b.x - a.x;
    const aby = b.y - a.y;
    const len2 = abx * abx + aby * aby || 1;
    const t = Math.min(Math.max(((p.x - a.x) * abx + (p.y - a.y) * aby) / len2, 0), 1);
    best = Math.min(best, Math.hypot(p.x - a.x - abx * t, p.y - a.y - aby * t));
  }
  return best;
}

/**
 * Which part of the garment a garment pixel belongs to: 0 main, 1 left sleeve, 2 right sleeve.
 * A pixel is in a side's sleeve when it lies beyond that side's seam polyline (away from the centre).
 */
export function partClassifier(plan: FitPlan, garment: GarmentAnalysis): (x: number, y: number) => 0 | 1 | 2 {
  const seams = new Seams(plan, garment);
  return (x, y) => seams.part(x, y);
}

/** One side's seam on a garment row: a pixel x is `(x - x0) * sign` garment pixels beyond it. */
export interface SeamOnRow {
  part: 1 | 2;
  x0: number;
  sign: number;
}

/**
 * The seams a garment row crosses (none below a side's cuff, where it is the skirt or the hem
 * flaring out, not the sleeve), for code that walks the garment row by row.
 */
export function seamRows(plan: FitPlan, garment: GarmentAnalysis): (y: number) => SeamOnRow[] {
  const seams = new Seams(plan, garment);
  return (y) => seams.rows(y);
}

/**
 * For a garment pixel: the sleeve it is nearest to beyond a seam (1 left, 2 right, 0 none) and
 * how far beyond that seam it lies, in garment pixels (negative: on the main part's side).
 */
export function seamDistance(plan: FitPlan, garment: GarmentAnalysis): (x: number, y: number) => { part: 0 | 1 | 2; d: number } {
  const seams = new Seams(plan, garment);
  return (x, y) => seams.distance(x, y);
}

/** A side's seam polyline as x(y); above its top and below its bottom it continues its end segments. */
function seamX(line: Point[], y: number): number {
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i];
    const b = line[i + 1];
    if (y <= b.y || i + 2 === line.length) {
      const dy = b.y - a.y;
      return Math.abs(dy) < 1e-6 ? a.x : a.x + ((y - a.y) / dy) * (b.x - a.x);
    }
  }
  return line[0].x;
}

/**
 * The fit's seams over the garment photo (seamRows, seamDistance, partClassifier). A class
 * rather than closures per call: those were optimised afresh for every pair.
 */
class Seams {
  private readonly fixed: { line: Point[]; part: 1 | 2; bottom: number; sign: number }[];

  constructor(plan: FitPlan, garment: GarmentAnalysis) {
    const sides = (['left', 'right'] as Side[]).filter((s) => plan.seams[s]);
    const l = plan.seams.left?.[0];
    const r = plan.seams.right?.[0];
    const centreX = l && r ? (l.x + r.x) / 2 : garment.width / 2;
    this.fixed = sides.map((s) => {
      const line = plan.seams[s]!;
      return { line, part: (s === 'left' ? 1 : 2) as 1 | 2, bottom: plan.sleeveBottom[s] ?? Infinity, sign: Math.sign(line[0].x - centreX) || (s === 'left' ? 1 : -1) };
    });
  }

  rows(y: number): SeamOnRow[] {
    const out: SeamOnRow[] = [];
    for (const f of this.fixed) if (!(y > f.bottom)) out.push({ part: f.part, x0: seamX(f.line, y), sign: f.sign });
    return out;
  }

  distance(x: number, y: number): { part: 0 | 1 | 2; d: number } {
    let best: { part: 0 | 1 | 2; d: number } = { part: 0, d: -Infinity };
    for (const s of this.rows(y)) {
      const d = (x - s.x0) * s.sign;
      if (d > best.d) best = { part: s.part, d };
    }
    return best;
  }

  part(x: number, y: number): 0 | 1 | 2 {
    const b = this.distance(x, y);
    return b.d > 0 ? b.part : 0;
  }
}

/**
 * The crop box: where the forward warp puts the garment's pixels, plus `extra` boxes (the old
 * garment's area, which may become skin), plus a margin; clamped to the photo.
 */
export function warpBox(plan: FitPlan, garment: GarmentAnalysis, width: number, height: number, extra: Box[] = []): Box {
  const seams = new Seams(plan, garment);
  const maps: (Tps | null)[] = [forward(plan.main, LAMBDA_MAIN), null, null];
  for (const s of plan.sleeves) maps[s.side === 'left' ? 1 : 2] = sleeveForward(s);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const { data, width: gw, height: gh } = garment.mask;
  const step = Math.max(2, Math.round(Math.max(gw, gh) / 96));
  for (let y = 0; y < gh; y += step) {
    for (let x = 0; x < gw; x += step) {
      if (data[y * gw + x] < 64) continue;
      const m = maps[seams.part(x, y)] ?? maps[0]!;
      const p = m.map(x + 0.5, y + 0.5);
      if (p.x < x0) x0 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.x > x1) x1 = p.x;
      if (p.y > y1) y1 = p.y;
    }
  }
  for (const b of extra) {
    if (b.width <= 0 || b.height <= 0) continue;
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  if (!Number.isFinite(x0)) return { x: 0, y: 0, width, height };
  const margin = Math.max(8, Math.round(0.02 * Math.max(width, height)));
  const bx0 = Math.max(0, Math.floor(x0 - margin));
  const by0 = Math.max(0, Math.floor(y0 - margin));
  const bx1 = Math.min(width, Math.ceil(x1 + margin));
  const by1 = Math.min(height, Math.ceil(y1 + margin));
  if (bx1 - bx0 < 2 || by1 - by0 < 2) return { x: 0, y: 0, width: Math.min(width, 2), height: Math.min(height, 2) };
  return { x: bx0, y: by0, width: bx1 - bx0, height: by1 - by0 };
}

/**
 * The fraction of points near a sleeve's arm where its inverse map folds over (negative
 * Jacobian): a sleeve photographed hanging at a steep angle, or landmarks that disagree with
 * the arm, can make the spline turn inside out, which draws streaks.
 */
export function foldFraction(tps: Tps, sleeve: SleevePlan): number {
  const pts: Point[] = [];
  const step = sleeve.radius / 4;
  for (let i = 0; i + 1 < sleeve.axis.length; i++) {
    const a = sleeve.axis[i];
    const b = sleeve.axis[i + 1];
    const n = Math.max(2, Math.ceil(dist(a, b) / step));
    for (let k = 0; k <= n; k++) {
      const c = { x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n };
      for (const dx of [-0.5, 0, 0.5]) for (const dy of [-0.5, 0, 0.5]) pts.push({ x: c.x + dx * sleeve.radius, y: c.y + dy * sleeve.radius });
    }
  }
  let folded = 0;
  const h = 1;
  let sign = 0;
  for (const p of pts) {
    const o = tps.map(p.x, p.y);
    const ex = tps.map(p.x + h, p.y);
    const ey = tps.map(p.x, p.y + h);
    const det = (ex.x - o.x) * (ey.y - o.y) - (ex.y - o.y) * (ey.x - o.x);
    // The map's orientation is whatever the majority says (a mirrored garment is fine).
    sign += Math.sign(det);
    if (det < 0) folded++;
  }
  const negatives = folded / pts.length;
  return sign >= 0 ? negatives : 1 - negatives;
}

/**
 * A sleeve's inverse map: along the arm's bones (src/fit/sleeve-map.ts), length and width
 * scaled apart, so the sleeve follows the arm through the elbow instead of puffing into a wing.
 */
function sleeveInverse(sleeve: SleevePlan): SleeveMap {
  return sleeveMap(sleeve.pairs, sleeve.side, true);
}

function sleeveForward(sleeve: SleevePlan): SleeveMap {
  return sleeveMap(sleeve.pairs, sleeve.side, false);
}

/** Whether grid point (i, j) or one of its 8 neighbours has a non-zero value. */
function nearAny(v: Float32Array, rows: number, cols: number, i: number, j: number): boolean {
  for (let a = Math.max(0, i - 1); a <= Math.min(rows - 1, i + 1); a++) {
    for (let b = Math.max(0, j - 1); b <= Math.min(cols - 1, j + 1); b++) if (v[a * cols + b] > 0) return true;
  }
  return false;
}

/**
 * Evaluates the inverse maps on the coarse grid over `box`.
 * @param window the part of the garment photo the texture covers (garment pixels); sample
 *   coordinates are normalised to it. Default: the whole photo.
 */
export function warpGrid(plan: FitPlan, garment: GarmentAnalysis, box: Box, window: Box = { x: 0, y: 0, width: garment.width, height: garment.height }, step = GRID_STEP): WarpGrid {
  const cols = Math.max(2, Math.ceil((box.width - 1) / step) + 1);
  const rows = Math.max(2, Math.ceil((box.height - 1) / step) + 1);
  const data = new Float32Array(9 * rows * cols);
  const plane = rows * cols;
  const maps: { tps: Tps; sleeve: SleevePlan | null; hold?: SleeveMap }[] = [{ tps: inverse(plan.main, LAMBDA_MAIN), sleeve: null }];
  for (const side of ['left', 'right'] as Side[]) {
    const s = plan.sleeves.find((v) => v.side === side);
    const map = s ? sleeveInverse(s) : null;
    maps.push(s && map ? { tps: map, sleeve: s, hold: map } : { tps: null as unknown as Tps, sleeve: null });
  }
  // Grid point (i, j) sits on output pixel centre box.x + j * (W - 1) / (cols - 1) + 0.5, matching
  // Resize's align_corners mapping in the graph.
  const sx = (box.width - 1) / (cols - 1);
  const sy = (box.height - 1) / (rows - 1);
  const grid = new GridWriter(data, plane, window);
  const pt = new GridPoints(box, sx, sy);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) grid.put(0, i * cols + j, maps[0].tps.map(pt.x(j), pt.y(i)), 1);
  for (let m = 1; m < 3; m++) {
    const { sleeve, hold } = maps[m];
    if (!sleeve || !hold) {
      for (let o = 0; o < plane; o++) (data[(3 * m) * plane + o] = OFF), (data[(3 * m + 1) * plane + o] = OFF);
      continue;
    }
    // The allowance near the arm first (cheap); the map only where a grid cell around the point
    // can be drawn: elsewhere the far value, which no allowed sample interpolates towards.
    const near = new Float32Array(plane);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const d = polylineDistance(pt.at(i, j), sleeve.axis);
        near[i * cols + j] = Math.min(Math.max((sleeve.radius - d) / (0.25 * sleeve.radius), 0), 1);
      }
    }
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const o = i * cols + j;
        if (!nearAny(near, rows, cols, i, j)) {
          grid.put(m, o, { x: Number.NaN, y: Number.NaN }, 0);
          continue;
        }
        const g = hold.sample(pt.x(j), pt.y(i));
        grid.put(m, o, g, near[o] * g.hold);
      }
    }
    extendIntoFar(data, m, rows, cols);
  }
  return { box, cols, rows, data };
}

/**
 * Gives each far grid point of map m that borders a mapped one the mean of its mapped
 * neighbours' coordinates (its allowance stays 0). Between a mapped point and a far one the
 * graph's bilinear upsampling otherwise blends real garment coordinates with the far value:
 * the pixels of that 8-px cell, still partly allowed, sample garment from anywhere between
 * (a dark staircase at the armpit where a sleeve's patch ends).
 */
function extendIntoFar(data: Float32Array, m: number, rows: number, cols: number): void {
  const plane = rows * cols;
  const xs = data.subarray(3 * m * plane, (3 * m + 1) * plane);
  const ys = data.subarray((3 * m + 1) * plane, (3 * m + 2) * plane);
  const far = (o: number): boolean => xs[o] === OFF && ys[o] === OFF;
  const fill: [number, number, number][] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const o = i * cols + j;
      if (!far(o)) continue;
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let a = Math.max(0, i - 1); a <= Math.min(rows - 1, i + 1); a++) {
        for (let b = Math.max(0, j - 1); b <= Math.min(cols - 1, j + 1); b++) {
          const q = a * cols + b;
          if (far(q)) continue;
          sx += xs[q];
          sy += ys[q];
          n++;
        }
      }
      if (n) fill.push([o, sx / n, sy / n]);
    }
  }
  for (const [o, x, y] of fill) (xs[o] = x), (ys[o] = y);
}

/**
 * Writes grid values: GridSample coordinates normalised to the texture's window, and the
 * allowance. (A class rather than closures per grid: they were optimised afresh per pair.)
 */
class GridWriter {
  constructor(
    private readonly data: Float32Array,
    private readonly plane: number,
    private readonly window: Box,
  ) {}

  put(m: number, o: number, g: Point, allow: number): void {
    const { data, plane, window } = this;
    // Far outside the photo (a sleeve's map with nothing there): the usual far value, so the
    // grid's interpolation stays in a range float32 holds alike in both render engines.
    const far = !(Math.abs(g.x) < 1e5 && Math.abs(g.y) < 1e5);
    data[(3 * m) * plane + o] = far ? OFF : (2 * (g.x - window.x)) / window.width - 1;
    data[(3 * m + 1) * plane + o] = far ? OFF : (2 * (g.y - window.y)) / window.height - 1;
    data[(3 * m + 2) * plane + o] = allow;
  }
}

/** Grid point (i, j)'s output pixel centre. */
class GridPoints {
  constructor(
    private readonly box: Box,
    private readonly sx: number,
    private readonly sy: number,
  ) {}

  x(j: number): number {
    return this.box.x + j * this.sx + 0.5;
  }

  y(i: number): number {
    return this.box.y + i * this.sy + 0.5;
  }

  at(i: number, j: number): Point {
    return { x: this.x(j), y: this.y(i) };
  }
}
