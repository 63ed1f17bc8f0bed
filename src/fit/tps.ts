/**
 * Thin-plate splines in 2-D: a smooth map that sends each control point to its target and
 * bends as little as possible in between (Bookstein 1989). The fit solves one small dense
 * linear system (n + 3 unknowns per coordinate), so it is cheap enough to solve per pair.
 *
 *   const t = fitTps([{ x: 0, y: 0 }, ...], [{ x: 10, y: 3 }, ...]);
 *   t.map(5, 5); // -> Point
 *
 * Coordinates are normalised (centred, scaled to unit spread) before solving, so `lambda`
 * means the same for a 300 px and a 3000 px photo. lambda = 0 interpolates exactly;
 * a little (1e-3..1e-2) keeps near-duplicate points with different targets from folding.
 */
import type { Point } from '../types.ts';

export interface Tps {
  /** Maps one point. */
  map(x: number, y: number): Point;
  /** The number of control points. */
  readonly size: number;
}

/** r^2 log r^2 / 2 = r^2 log r: the 2-D biharmonic kernel (0 at r = 0). */
function kernel(r2: number): number {
  return r2 < 1e-20 ? 0 : 0.5 * r2 * Math.log(r2);
}

/** Solves A x = b in place by Gaussian elimination with partial pivoting; A is n x n row-major. */
export function solveLinear(a: Float64Array, b: Float64Array[], n: number): Float64Array[] {
  const m = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    let best = Math.abs(a[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(a[r * n + col]);
      if (v > best) {
        best = v;
        pivot = r;
      }
    }
    if (best < 1e-12) throw new Error('singular system');
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = a[col * n + c];
        a[col * n + c] = a[pivot * n + c];
        a[pivot * n + c] = t;
      }
      for (let k = 0; k < m; k++) {
        const t = b[k][col];
        b[k][col] = b[k][pivot];
        b[k][pivot] = t;
      }
    }
    const d = a[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      for (let k = 0; k < m; k++) b[k][r] -= f * b[k][col];
    }
  }
  const out = b.map(() => new Float64Array(n));
  for (let k = 0; k < m; k++) {
    for (let r = n - 1; r >= 0; r--) {
      let s = b[k][r];
      for (let c = r + 1; c < n; c++) s -= a[r * n + c] * out[k][c];
      out[k][r] = s / a[r * n + r];
    }
  }
  return out;
}

/** An affine map fitted by least squares (exact for 3 points); the fallback for degenerate point sets. */
function fitAffine(src: Point[], dst: Point[]): (x: number, y: number) => Point {
  // Normal equations of [x y 1] -> dst.x and dst.y, with a tiny ridge so 1 or 2 points still solve.
  const ata = new Float64Array(9);
  const atx = new Float64Array(3);
  const aty = new Float64Array(3);
  for (let i = 0; i < src.length; i++) {
    const row = [src[i].x, src[i].y, 1];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) ata[r * 3 + c] += row[r] * row[c];
      atx[r] += row[r] * dst[i].x;
      aty[r] += row[r] * dst[i].y;
    }
  }
  for (let d = 0; d < 3; d++) ata[d * 4] += 1e-6;
  const [px, py] = solveLinear(ata, [atx, aty], 3);
  return (x, y) => ({ x: px[0] * x + px[1] * y + px[2], y: py[0] * x + py[1] * y + py[2] });
}

/**
 * Fits the thin-plate spline with map(src[i]) ~= dst[i].
 * @param lambda regularisation in normalised units: 0 interpolates exactly, larger is stiffer.
 * @throws Error when src and dst differ in length or are empty.
 */
export function fitTps(src: Point[], dst: Point[], lambda = 0): Tps {
  if (src.length !== dst.length || src.length === 0) throw new Error(`fitTps: ${src.length} sources for ${dst.length} targets`);
  const n = src.length;
  // Normalise: centre on the mean, scale by the RMS distance to it.
  let mx = 0;
  let my = 0;
  for (const p of src) {
    mx += p.x / n;
    my += p.y / n;
  }
  let spread = 0;
  for (const p of src) spread += ((p.x - mx) ** 2 + (p.y - my) ** 2) / n;
  const s = spread > 0 ? 1 / Math.sqrt(spread) : 1;
  const xs = src.map((p) => (p.x - mx) * s);
  const ys = src.map((p) => (p.y - my) * s);

  if (n < 3) {
    const affine = fitAffine(src, dst);
    return { size: n, map: affine };
  }

  const size = n + 3;
  const a = new Float64Array(size * size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * size + j] = i === j ? lambda : kernel((xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2);
    }
    a[i * size + n] = 1;
    a[i * size + n + 1] = xs[i];
    a[i * size + n + 2] = ys[i];
    a[n * size + i] = 1;
    a[(n + 1) * size + i] = xs[i];
    a[(n + 2) * size + i] = ys[i];
  }
  const bx = new Float64Array(size);
  const by = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    bx[i] = dst[i].x;
    by[i] = dst[i].y;
  }
  let wx: Float64Array;
  let wy: Float64Array;
  try {
    [wx, wy] = solveLinear(a, [bx, by], size);
  } catch {
    // Collinear or coincident sources: no spline exists, the best affine map does.
    const affine = fitAffine(src, dst);
    return { size: n, map: affine };
  }
  return new Spline(n, mx, my, s, xs, ys, wx, wy);
}

/**
 * A fitted spline. A class rather than a closure per fit: every spline then shares one
 * function, which the engine optimises once instead of once per pair.
 */
class Spline implements Tps {
  constructor(
    readonly size: number,
    private readonly mx: number,
    private readonly my: number,
    private readonly s: number,
    private readonly xs: number[],
    private readonly ys: number[],
    private readonly wx: Float64Array,
    private readonly wy: Float64Array,
  ) {}

  map(x: number, y: number): Point {
    const { size: n, xs, ys, wx, wy } = this;
    const u = (x - this.mx) * this.s;
    const v = (y - this.my) * this.s;
    let ox = wx[n] + wx[n + 1] * u + wx[n + 2] * v;
    let oy = wy[n] + wy[n + 1] * u + wy[n + 2] * v;
    for (let i = 0; i < n; i++) {
      const k = kernel((u - xs[i]) ** 2 + (v - ys[i]) ** 2);
      ox += wx[i] * k;
      oy += wy[i] * k;
    }
    return { x: ox, y: oy };
  }
}
