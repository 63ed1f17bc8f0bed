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

/**
 * Over-relaxed Gauss-Seidel on the unknown cells any fixed cell reaches; neighbours outside the
 * region are free. Cascadic: a large grid is first solved at half resolution (2x2 cells
 * merged), whose solution starts the fine one, so a few dozen sweeps finish it instead of
 * hundreds.
 */
function relax(state: Uint8Array, reached: Uint8Array, value: Float32Array, cw: number, chh: number, C: number): void {
  const unknown: number[] = [];
  for (let c = 0; c < state.length; c++) if (state[c] === 1 && reached[c]) unknown.push(c);
  if (unknown.length === 0) return;
  if (unknown.length > 1500 && cw > 8 && chh > 8) startFromCoarse(state, reached, value, cw, chh, C);
  // Each unknown cell's live neighbours, flat: the sweeps then do no bounds checks.
  const nb = new Int32Array(unknown.length * 4).fill(-1);
  for (let u = 0; u < unknown.length; u++) {
    const c = unknown[u];
    const x = c % cw;
    const y = (c / cw) | 0;
    let m = 0;
    if (x > 0 && state[c - 1]) nb[u * 4 + m++] = c - 1;
    if (x < cw - 1 && state[c + 1]) nb[u * 4 + m++] = c + 1;
    if (y > 0 && state[c - cw]) nb[u * 4 + m++] = c - cw;
    if (y < chh - 1 && state[c + cw]) nb[u * 4 + m++] = c + cw;
  }
  const count = new Uint8Array(unknown.length);
  for (let u = 0; u < unknown.length; u++) while (count[u] < 4 && nb[u * 4 + count[u]] >= 0) count[u]++;
  const omega = 1.9;
  for (let iter = 0; iter < 600; iter++) {
    const change = C === 3 ? sweep3(unknown, nb, count, value, omega) : sweep(unknown, nb, count, value, C, omega);
    if (change < 0.02) break;
  }
}

/** One over-relaxed sweep over the unknown cells; the largest change it made. */
function sweep(unknown: number[], nb: Int32Array, count: Uint8Array, value: Float32Array, C: number, omega: number): number {
  let change = 0;
  for (let u = 0; u < unknown.length; u++) {
    const c = unknown[u];
    const m = count[u];
    if (!m) continue;
    for (let k = 0; k < C; k++) {
      let acc = 0;
      for (let j = 0; j < m; j++) acc += value[nb[u * 4 + j] * C + k];
      const old = value[c * C + k];
      const v = old + omega * (acc / m - old);
      value[c * C + k] = v;
      const d = v > old ? v - old : old - v;
      if (d > change) change = d;
    }
  }
  return change;
}

/**
 * sweep() for three channels, the neighbours read once for all three: the same sums in the
 * same order per channel (a cell is never its own neighbour, so updating one channel before
 * summing the next changes nothing).
 */
function sweep3(unknown: number[], nb: Int32Array, count: Uint8Array, value: Float32Array, omega: number): number {
  let change = 0;
  for (let u = 0; u < unknown.length; u++) {
    const m = count[u];
    if (!m) continue;
    const b = u * 4;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    for (let j = 0; j < m; j++) {
      const o = nb[b + j] * 3;
      a0 += value[o];
      a1 += value[o + 1];
      a2 += value[o + 2];
    }
    const o = unknown[u] * 3;
    const old0 = value[o];
    const v0 = old0 + omega * (a0 / m - old0);
    value[o] = v0;
    const d0 = v0 > old0 ? v0 - old0 : old0 - v0;
    if (d0 > change) change = d0;
    const old1 = value[o + 1];
    const v1 = old1 + omega * (a1 / m - old1);
    value[o + 1] = v1;
    const d1 = v1 > old1 ? v1 - old1 : old1 - v1;
    if (d1 > change) change = d1;
    const old2 = value[o + 2];
    const v2 = old2 + omega * (a2 / m - old2);
    value[o + 2] = v2;
    const d2 = v2 > old2 ? v2 - old2 : old2 - v2;
    if (d2 > change) change = d2;
  }
  return change;
}

/** Solves the grid at half resolution and writes that solution into the unknown cells as a start. */
function startFromCoarse(state: Uint8Array, reached: Uint8Array, value: Float32Array, cw: number, chh: number, C: number): void {
  const hw = Math.ceil(cw / 2);
  const hh = Math.ceil(chh / 2);
  const hState = new Uint8Array(hw * hh);
  const hReached = new Uint8Array(hw * hh);
  const hValue = new Float32Array(hw * hh * C);
  const nFixed = new Uint16Array(hw * hh);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const c = y * cw + x;
      const h = (y >> 1) * hw + (x >> 1);
      if (state[c] === 2) {
        for (let k = 0; k < C; k++) hValue[h * C + k] += value[c * C + k];
        nFixed[h]++;
      }
      if (state[c] === 1 && reached[c] && hState[h] === 0) hState[h] = 1;
      if (reached[c]) hReached[h] = 1;
    }
  }
  for (let h = 0; h < hState.length; h++) {
    if (!nFixed[h]) continue;
    hState[h] = 2;
    for (let k = 0; k < C; k++) hValue[h * C + k] /= nFixed[h];
  }
  relax(hState, hReached, hValue, hw, hh, C);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const c = y * cw + x;
      if (state[c] !== 1 || !reached[c]) continue;
      const h = (y >> 1) * hw + (x >> 1);
      for (let k = 0; k < C; k++) value[c * C + k] = hValue[h * C + k];
    }
  }
}

/** Bilinear interpolation of the cell values (at cell centres) back to the region's pixels, over live cells only. */
function upsample(p: MembraneProblem, state: Uint8Array, reached: Uint8Array, value: Float32Array, cw: number, C: number): Float32Array {
  const { width, height } = p;
  const chh = state.length / cw;
  const out = new Float32Array(width * height * C);
  const live = new Uint8Array(state.length);
  for (let c = 0; c < state.length; c++) live[c] = state[c] !== 0 && reached[c] !== 0 ? 1 : 0;
  const acc = new Float64Array(C);
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
      // The four cells' weights, live ones only (the region's edge cuts through the grid).
      const c00 = y0 * cw + x0;
      const c01 = y0 * cw + x1;
      const c10 = y1 * cw + x0;
      const c11 = y1 * cw + x1;
      const w00 = live[c00] * (1 - tx) * (1 - ty);
      const w01 = live[c01] * tx * (1 - ty);
      const w10 = live[c10] * (1 - tx) * ty;
      const w11 = live[c11] * tx * ty;
      const wsum = w00 + w01 + w10 + w11;
      if (wsum < 1e-6) {
        const own = Math.floor(y / CELL) * cw + Math.floor(x / CELL);
        if (live[own]) for (let k = 0; k < C; k++) out[i * C + k] = value[own * C + k];
        continue;
      }
      for (let k = 0; k < C; k++) acc[k] = (w00 * value[c00 * C + k] + w01 * value[c01 * C + k] + w10 * value[c10 * C + k] + w11 * value[c11 * C + k]) / wsum;
      for (let k = 0; k < C; k++) out[i * C + k] = acc[k];
    }
  }
  return out;
}
