/**
 * Moving least squares similarity deformation (Schaefer, McPhail & Warren 2006): at each point
 * the rotation, uniform scale and shift that best carry the control points to their targets,
 * the control points weighted by closeness (1 / d^2). Between its control points the map is
 * locally a similarity, so a shape it carries keeps its proportions: a sleeve turned to an
 * arm's angle stays a sleeve, where a thin-plate spline through four corners puffs, shears or
 * folds it.
 *
 *   const m = fitMls(from, to);
 *   m.map(x, y); // -> Point
 *
 * In complex numbers, with p the control points, q their targets, w the weights and p*, q*
 * their weighted centroids: f(v) = M (v - p*) + q*, M = sum w (q - q*) conj(p - p*) / sum w |p - p*|^2.
 */
import type { Point } from '../types.ts';
import type { Tps } from './tps.ts';

export function fitMls(from: Point[], to: Point[]): Tps {
  if (from.length !== to.length || from.length < 2) throw new Error('fitMls: needs at least two point pairs');
  const n = from.length;
  const px = Float64Array.from(from, (p) => p.x);
  const py = Float64Array.from(from, (p) => p.y);
  const qx = Float64Array.from(to, (p) => p.x);
  const qy = Float64Array.from(to, (p) => p.y);
  return {
    size: n,
    map(x: number, y: number): Point {
      let sw = 0;
      let cpx = 0;
      let cpy = 0;
      let cqx = 0;
      let cqy = 0;
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const d2 = (px[i] - x) ** 2 + (py[i] - y) ** 2;
        // On a control point: its own target (the weight would be infinite).
        if (d2 < 1e-9) return { x: qx[i], y: qy[i] };
        w[i] = 1 / d2;
        sw += w[i];
        cpx += w[i] * px[i];
        cpy += w[i] * py[i];
        cqx += w[i] * qx[i];
        cqy += w[i] * qy[i];
      }
      cpx /= sw;
      cpy /= sw;
      cqx /= sw;
      cqy /= sw;
      // M = sum w q^ conj(p^) / sum w |p^|^2 (complex): a rotation and a uniform scale.
      let re = 0;
      let im = 0;
      let mu = 0;
      for (let i = 0; i < n; i++) {
        const ax = px[i] - cpx;
        const ay = py[i] - cpy;
        const bx = qx[i] - cqx;
        const by = qy[i] - cqy;
        re += w[i] * (bx * ax + by * ay);
        im += w[i] * (by * ax - bx * ay);
        mu += w[i] * (ax * ax + ay * ay);
      }
      if (mu < 1e-12) return { x: cqx, y: cqy };
      re /= mu;
      im /= mu;
      const vx = x - cpx;
      const vy = y - cpy;
      return { x: re * vx - im * vy + cqx, y: im * vx + re * vy + cqy };
    },
  };
}
