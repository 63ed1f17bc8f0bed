/**
 * The outline of a 0/1 work mask as an ordered list of boundary pixels, and what the
 * landmark search reads from it: stretches between two outline points, their simplified
 * polygon (Douglas-Peucker) and the turns at its corners. Sleeves are found on the outline
 * rather than on row or column profiles because a sleeve may point any way (straight out,
 * angled down, hanging beside the body) and its opening is an edge of the outline.
 */
import type { Point } from '../types.ts';

/** Moore-neighbour directions, clockwise in image coordinates (y down), starting east. */
const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

/**
 * The outer boundary of the component holding the mask's first pixel in raster order (the
 * work mask has one component), clockwise on screen: along the top from left to right, down
 * the image-right side, back along the bottom and up the image-left side. Empty for an empty mask.
 */
export function traceOutline(bin: Uint8Array, w: number, h: number): Point[] {
  let start = -1;
  for (let i = 0; i < w * h && start < 0; i++) if (bin[i]) start = i;
  if (start < 0) return [];
  const on = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && bin[y * w + x] === 1;
  const sx = start % w, sy = (start - sx) / w;
  const out: Point[] = [{ x: sx, y: sy }];
  // The pixel west of the start is outside: search clockwise from the direction after it.
  let x = sx, y = sy, from = 4, first = -1;
  const limit = 4 * w * h;
  for (let steps = 0; steps < limit; steps++) {
    let found = -1;
    for (let k = 1; k <= 8; k++) {
      const d = (from + k) % 8;
      if (on(x + DX[d], y + DY[d])) { found = d; break; }
    }
    if (found < 0) break; // a single pixel
    // Jacob's stopping rule: back at the start and leaving it the way we first left it.
    if (first < 0) first = found;
    else if (x === sx && y === sy && found === first) { out.pop(); break; }
    x += DX[found];
    y += DY[found];
    // The next search starts just past the direction back to where we came from.
    from = (found + 4) % 8;
    out.push({ x, y });
  }
  return out;
}

/** Index of the outline point nearest to p. */
export function nearestIndex(outline: Point[], p: Point): number {
  let best = 0, bestD = Infinity;
  for (let i = 0; i < outline.length; i++) {
    const d = (outline[i].x - p.x) ** 2 + (outline[i].y - p.y) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

/** The outline from index a to index b, walking forward (step 1) or backward (step -1), both ends included. */
export function stretch(outline: Point[], a: number, b: number, step: 1 | -1): Point[] {
  const n = outline.length;
  const out: Point[] = [];
  for (let i = a, k = 0; k <= n; i = (i + step + n) % n, k++) {
    out.push(outline[i]);
    if (i === b) break;
  }
  return out;
}

/** Distance from p to the segment a-b. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const vx = b.x - a.x, vy = b.y - a.y;
  const len2 = vx * vx + vy * vy;
  const t = len2 ? Math.min(1, Math.max(0, ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2)) : 0;
  return Math.hypot(p.x - a.x - t * vx, p.y - a.y - t * vy);
}

/** Douglas-Peucker on an open chain: indices of the kept vertices, first and last included, in order. */
export function simplify(chain: Point[], eps: number): number[] {
  if (chain.length < 3) return chain.map((_, i) => i);
  const keep = new Uint8Array(chain.length);
  keep[0] = keep[chain.length - 1] = 1;
  const stack: [number, number][] = [[0, chain.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop() as [number, number];
    let far = -1, farD = eps;
    for (let i = a + 1; i < b; i++) {
      const d = segmentDistance(chain[i], chain[a], chain[b]);
      if (d > farD) { farD = d; far = i; }
    }
    if (far < 0) continue;
    keep[far] = 1;
    stack.push([a, far], [far, b]);
  }
  const out: number[] = [];
  for (let i = 0; i < chain.length; i++) if (keep[i]) out.push(i);
  return out;
}

/** The unsigned turn (radians, 0..pi) between the headings a->b and b->c. */
export function turnAt(a: Point, b: Point, c: Point): number {
  const h1 = Math.atan2(b.y - a.y, b.x - a.x);
  const h2 = Math.atan2(c.y - b.y, c.x - b.x);
  let d = Math.abs(h2 - h1);
  if (d > Math.PI) d = 2 * Math.PI - d;
  return d;
}
