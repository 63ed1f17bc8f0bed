import { describe, expect, it } from 'vitest';
import { fitTps, solveLinear } from '../src/fit/tps.ts';
import type { Point } from '../src/types.ts';

/** Deterministic scattered points. */
function scatter(n: number, seed = 1): Point[] {
  let s = seed;
  const rnd = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, () => ({ x: rnd() * 600, y: rnd() * 800 }));
}

describe('solveLinear', () => {
  it('solves a small system with pivoting', () => {
    // [0 2; 1 1] x = [4; 3] -> x = [1, 2] (needs a row swap)
    const [x] = solveLinear(Float64Array.from([0, 2, 1, 1]), [Float64Array.from([4, 3])], 2);
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(2, 12);
  });
});

describe('fitTps', () => {
  it('interpolates its control points exactly with lambda 0', () => {
    const src = scatter(14, 3);
    const dst = src.map((p, i) => ({ x: p.x + 30 * Math.sin(i), y: p.y + 25 * Math.cos(i * 1.7) }));
    const t = fitTps(src, dst, 0);
    for (let i = 0; i < src.length; i++) {
      const m = t.map(src[i].x, src[i].y);
      expect(m.x).toBeCloseTo(dst[i].x, 6);
      expect(m.y).toBeCloseTo(dst[i].y, 6);
    }
  });

  it('is exactly affine for affine data, also away from the control points', () => {
    const A = (p: Point): Point => ({ x: 1.3 * p.x - 0.4 * p.y + 17, y: 0.2 * p.x + 0.9 * p.y - 40 });
    const src = scatter(9, 7);
    const t = fitTps(src, src.map(A), 0);
    for (const q of scatter(20, 11)) {
      const m = t.map(q.x, q.y);
      expect(m.x).toBeCloseTo(A(q).x, 6);
      expect(m.y).toBeCloseTo(A(q).y, 6);
    }
  });

  it('stays affine-exact with regularisation, and regularisation stops exact interpolation of bent data', () => {
    const A = (p: Point): Point => ({ x: 0.5 * p.x + 3, y: 2 * p.y });
    const src = scatter(10, 5);
    const stiff = fitTps(src, src.map(A), 0.5);
    const q = { x: 123, y: 456 };
    expect(stiff.map(q.x, q.y).x).toBeCloseTo(A(q).x, 6);
    const bent = src.map((p, i) => ({ x: p.x + (i % 2 ? 40 : -40), y: p.y }));
    const r = fitTps(src, bent, 0.5);
    const err = src.reduce((e, p, i) => e + Math.abs(r.map(p.x, p.y).x - bent[i].x), 0);
    expect(err).toBeGreaterThan(1);
  });

  it('falls back to an affine map for collinear sources and refuses mismatched inputs', () => {
    const src = [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }];
    const t = fitTps(src, src.map((p) => ({ x: p.x + 5, y: p.y })), 0);
    expect(t.map(1.5, 1.5).x).toBeCloseTo(6.5, 4);
    expect(() => fitTps(src, src.slice(1))).toThrow(/3 targets/);
  });
});
