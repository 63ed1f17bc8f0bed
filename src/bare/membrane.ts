/**
 * A membrane: the smooth (harmonic) field over a region that takes given values on part of its
 * border and is free (zero normal derivative) elsewhere; the "membrane" of Poisson image
 * editing (Perez et al. 2003) and of mean-value cloning (Farbman et al. 2009). Added to
 * synthesised content it removes any colour step where the content meets the real photo,
 * while keeping the content's own gradients.
 *
 * Solved on a coarse grid (cells of CELL x CELL pixels: a membrane has no detail finer than
 * its boundary's), by successive over-relaxation from a first guess spread out of the fixed
 * cells, then interpolated bilinearly back to pixels.
 */

/** Side of the coarse grid's cells, in pixels. */
export const CELL = 4;

export interface MembraneProblem {
  width: number;
  height: number;
  /** Pixels the field is wanted at (non-zero). */
  region: Uint8Array;
  /** Pixels whose value is fixed (non-zero), with their values in `values` (channels interleaved). */
  fixed: Uint8Array;
  values: Float32Array;
  channels: number;
}

/** The field at every pixel of the region (0 elsewhere, and in parts of it no fixed pixel reaches). */
export function solveMembrane(p: MembraneProblem): Float32Array {
  const { width, height, channels: C } = p;
  const cw = Math.ceil(width / CELL);
  const chh = Math.ceil(height / CELL);
  const cells = cw * chh;
  // Coarse cells: unknown where the region is, fixed (mean of their fixed pixels) where any is.
  const sum = new Float64Array(cells * C);
  const nFixed = new Uint32Array(cells);
  const inRegion = new Uint8Array(cells);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const c = Math.floor(y / CELL) * cw + Math.floor(x / CELL);
      if (p.region[i]) inRegion[c] = 1;
      if (p.fixed[i]) {
        nFixed[c]++;
        for (let k = 0; k < C; k++) sum[c * C + k] += p.values[i * C + k];
      }
    }
  }
  const value = new Float32Array(cells * C);
  const state = new Uint8Array(cells); // 0 outside, 1 unknown, 2 fixed
  for (let c = 0; c < cells; c++) {
    if (nFixed[c]) {
      state[c] = 2;
      for (let k = 0; k < C; k++) value[c * C + k] = sum[c * C + k] / nFixed[c];
    } else if (inRegion[c]) state[c] = 1;
  }
  const reached = firstGuess(state, value, cw, chh, C);
  relax(state, reached, value, cw, chh, C);
  return upsample(p, state, reached, value, cw, C);
}

/**
 * Breadth-first from the fixed cells through the unknown ones, each cell taking the mean of
 * its already-set neighbours: a starting point near the solution, and which cells any fixed
 * cell reaches at all (the rest keep 0).
 */
function firstGuess(state: Uint8Array, value: Float32Array, cw: number, chh: number, C: number): Uint8Array {
  const reached = new Uint8Array(state.length);
  let frontier: number[] = [];
  for (let c = 0; c < state.length; c++) if (state[c] === 2) (reached[c] = 1), frontier.push(c);
  while (frontier.length) {
    const next: number[] = [];
    for (const c of frontier) {
      const x = c % cw;
      const y = (c / cw) | 0;
      for (const n of [x > 0 ? c - 1 : -1, x < cw - 1 ? c + 1 : -1, y > 0 ? c - cw : -1, y < chh - 1 ? c + cw : -1]) {
        if (n < 0 || state[n] !== 1 || reached[n]) continue;
        reached[n] = 2;
        next.push(n);
      }
    }
    for (const c of next) {
      const x = c % cw;
      const y = (c / cw) | 0;
      let m = 0;
      const acc = new Float64Array(C);
      for (const n of [x > 0 ? c - 1 : -1, x < cw - 1 ? c + 1 : -1, y > 0 ? c - cw : -1, y < chh - 1 ? c + cw : -1]) {
        if (n < 0 || reached[n] !== 1) continue;
        m++;
        for (let k = 0; k < C; k++) acc[k] += value[n * C + k];
      }
      for (let k = 0; k < C; k++) value[c * C + k] = m ? acc[k] / m : 0;
    }
    for (const c of next) reached[c] = 1;
    frontier = next;
  }
  return reached;
}

/** Over-relaxed Gauss-Seidel on the unknown cells any fixed cell reaches; neighbours outside the region are free. */
function relax(state: Uint8Array, reached: Uint8Array, value: Float32Array, cw: number, chh: number, C: number): void {
  const unknown: number[] = [];
  for (let c = 0; c < state.length; c++) if (state[c] === 1 && reached[c]) unknown.push(c);
  if (unknown.length === 0) return;
  const omega = 1.9;
  for (let iter = 0; iter < 600; iter++) {
    let change = 0;
    for (const c of unknown) {
      const x = c % cw;
      const y = (c / cw) | 0;
      let m = 0;
      for (let k = 0; k < C; k++) {
        let acc = 0;
        m = 0;
        if (x > 0 && state[c - 1]) (acc += value[(c - 1) * C + k]), m++;
        if (x < cw - 1 && state[c + 1]) (acc += value[(c + 1) * C + k]), m++;
        if (y > 0 && state[c - cw]) (acc += value[(c - cw) * C + k]), m++;
        if (y < chh - 1 && state[c + cw]) (acc += value[(c + cw) * C + k]), m++;
        if (!m) continue;
        const old = value[c * C + k];
        const v = old + omega * (acc / m - old);
        value[c * C + k] = v;
        change = Math.max(change, Math.abs(v - old));
      }
    }
    if (change < 0.02) break;
  }
}

/** Bilinear interpolation of the cell values (at cell centres) back to the region's pixels. */
function upsample(p: MembraneProblem, state: Uint8Array, reached: Uint8Array, value: Float32Array, cw: number, C: number): Float32Array {
  const { width, height } = p;
  const chh = state.length / cw;
  const out = new Float32Array(width * height * C);
  const live = (c: number): boolean => state[c] !== 0 && reached[c] !== 0;
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) / CELL - 0.5;
    const y0 = Math.max(0, Math.min(chh - 1, Math.floor(fy)));
    const y1 = Math.min(chh - 1, y0 + 1);
    const ty = Math.min(Math.max(fy - y0, 0), 1);
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!p.region[i]) continue;
      const fx = (x + 0.5) / CELL - 0.5;
      const x0 = Math.max(0, Math.min(cw - 1, Math.floor(fx)));
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = Math.min(Math.max(fx - x0, 0), 1);
      // Weights of the four cells, live ones only (the region's edge cuts through the grid).
      const corners = [
        [y0 * cw + x0, (1 - tx) * (1 - ty)],
        [y0 * cw + x1, tx * (1 - ty)],
        [y1 * cw + x0, (1 - tx) * ty],
        [y1 * cw + x1, tx * ty],
      ] as const;
      let wsum = 0;
      for (const [c, w] of corners) if (live(c)) wsum += w;
      if (wsum < 1e-6) {
        const own = Math.floor(y / CELL) * cw + Math.floor(x / CELL);
        if (live(own)) for (let k = 0; k < C; k++) out[i * C + k] = value[own * C + k];
        continue;
      }
      for (let k = 0; k < C; k++) {
        let v = 0;
        for (const [c, w] of corners) if (live(c)) v += w * value[c * C + k];
        out[i * C + k] = v / wsum;
      }
    }
  }
  return out;
}
