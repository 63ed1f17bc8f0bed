/**
 * Row and column reads of a 0/1 work mask that the landmark searches share: its extent and
 * centre, the run of a row through a column, the first garment pixel of a column, the apex
 * of a wedge-shaped gap and a convex hull.
 */
import type { Point } from '../types.ts';

export const P = (x: number, y: number): Point => ({ x, y });

export interface Rows {
  w: number;
  h: number;
  bin: Uint8Array;
  top: number;
  bottom: number;
  left: number;
  right: number;
  cx: number;
}

export function rowsOf(bin: Uint8Array, w: number, h: number): Rows {
  let top = h, bottom = -1, left = w, right = -1, sx = 0, n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!bin[y * w + x]) continue;
      if (y < top) top = y;
      bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
      sx += x;
      n++;
    }
  }
  return { w, h, bin, top, bottom, left, right, cx: n ? sx / n : w / 2 };
}

/** The run of row y that contains x, or the nearest run; null when the row is empty. */
export function runAt(g: Rows, y: number, x: number): [number, number] | null {
  const { w, bin } = g;
  const row = y * w;
  let best: [number, number] | null = null;
  let bestD = Infinity;
  let x0 = -1;
  for (let i = 0; i <= w; i++) {
    const on = i < w && bin[row + i] === 1;
    if (on && x0 < 0) x0 = i;
    if (!on && x0 >= 0) {
      const x1 = i - 1;
      const d = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      if (d < bestD) { bestD = d; best = [x0, x1]; }
      x0 = -1;
    }
  }
  return best;
}

export function firstInColumn(g: Rows, x: number): number {
  for (let y = g.top; y <= g.bottom; y++) if (g.bin[y * g.w + x]) return y;
  return -1;
}

/**
 * The apex of a wedge-shaped gap that opens downward from `top` (the gap beside a hanging
 * sleeve, between trouser legs). Near its apex the gap is too narrow to survive the mask's
 * closing, so the found top is low; the gap's two walls, fitted as lines over the rows below
 * and extended upward, meet at the true apex. Returns `top` when there is no wedge there.
 */
export function wedgeApex(g: Rows, top: Point, maxRise: number): Point {
  const { w, bin } = g;
  const ys: number[] = [], ls: number[] = [], rs: number[] = [];
  // Rows a little below the found top: right under it the closing has rounded the walls.
  const from = Math.round(top.y) + Math.max(3, Math.round(0.02 * g.h));
  const to = Math.round(top.y) + Math.max(10, Math.round(0.12 * g.h));
  let x = Math.round(top.x);
  for (let y = Math.round(top.y) + 1; y <= Math.min(g.bottom, to); y++) {
    const row = y * w;
    if (bin[row + x]) {
      // Follow the gap if it drifts: nearest empty pixel within 3 px.
      let found = -1;
      for (let d = 1; d <= 3 && found < 0; d++) {
        if (x - d >= 0 && !bin[row + x - d]) found = x - d;
        else if (x + d < w && !bin[row + x + d]) found = x + d;
      }
      if (found < 0) continue;
      x = found;
    }
    let l = x, r = x;
    while (l > g.left && !bin[row + l - 1]) l--;
    while (r < g.right && !bin[row + r + 1]) r++;
    if (l <= g.left || r >= g.right) return top; // open to the side: a corner, not a wedge
    x = Math.round((l + r) / 2);
    if (y < from) continue;
    ys.push(y);
    ls.push(l - 0.5);
    rs.push(r + 0.5);
    x = Math.round((l + r) / 2);
  }
  if (ys.length < 5) return top;
  const fit = (v: number[]): [number, number] => {
    const n = ys.length;
    const my = ys.reduce((a, b) => a + b, 0) / n, mv = v.reduce((a, b) => a + b, 0) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { sxy += (ys[i] - my) * (v[i] - mv); sxx += (ys[i] - my) ** 2; }
    const b = sxx ? sxy / sxx : 0;
    return [mv - b * my, b];
  };
  const [a1, b1] = fit(ls);
  const [a2, b2] = fit(rs);
  if (b2 - b1 <= 0.02) return top; // walls not converging upward
  const y = (a1 - a2) / (b2 - b1);
  if (!(y < top.y) || top.y - y > maxRise) return top;
  return P(a1 + b1 * y, y);
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in image coordinates. */
export function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}
