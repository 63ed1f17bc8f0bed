/**
 * Small filters for the TypeScript render path, each reproducing one ONNX operator's exact
 * semantics (see src/engines/onnx/graphs.ts, the specification):
 *
 * - `alignAxis` / `halfPixelAxis`: the per-row or per-column taps of Resize (linear) with
 *   coordinate_transformation_mode align_corners / half_pixel, computed once per size so the
 *   per-pixel work is two reads and a lerp.
 * - `boxMeanPlane`: AveragePool k x k, stride 1, pads k/2, count_include_pad 0, of a mask
 *   channel (integer sums: exact), working only where the channel is non-zero.
 * - `max5Plane`: MaxPool 5x5, stride 1, pads 2 (padding never wins a max), likewise.
 * - `poolCells`: AveragePool k x k, stride k, ceil_mode 1, count_include_pad 0 (a partial edge
 *   cell averages only the pixels that exist).
 * - `smooth3`: AveragePool 3x3, stride 1, pads 1, count_include_pad 0 on a small planar grid.
 * - `smoothPool`: `poolCells` of a grid smoothed twice by `smooth3`, in two small passes.
 * - `mean3At`: that 3x3 AveragePool at one pixel of interleaved bytes (for a mask needed at few pixels).
 * - `RowUpsampler`: Resize (linear, half_pixel) of a small grid to full size, a row at a time.
 *
 * Everything is synchronous on typed arrays: safe in a worker thread.
 */
import { Scratch } from './scratch.ts';

/** Taps of a 1-D linear Resize: out[i] = in[i0[i]] * (1 - t[i]) + in[i1[i]] * t[i]. */
export interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  t: Float64Array;
}

function axisFrom(inLen: number, outLen: number, at: (i: number) => number): Axis {
  const i0 = new Int32Array(outLen);
  const i1 = new Int32Array(outLen);
  const t = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) {
    // Clamped to the input's range (half_pixel puts the outer half pixels outside it).
    const f = Math.min(Math.max(at(i), 0), inLen - 1);
    const a = Math.min(Math.floor(f), inLen - 1);
    i0[i] = a;
    i1[i] = Math.min(a + 1, inLen - 1);
    t[i] = i1[i] === a ? 0 : f - a;
  }
  return { i0, i1, t };
}

/** Resize align_corners: output i sits at i * (in - 1) / (out - 1) of the input. */
export function alignAxis(inLen: number, outLen: number): Axis {
  const s = outLen > 1 ? (inLen - 1) / (outLen - 1) : 0;
  return axisFrom(inLen, outLen, (i) => i * s);
}

/** Resize half_pixel: output i sits at (i + 0.5) / scale - 0.5, scale = out / in, clamped. */
export function halfPixelAxis(inLen: number, outLen: number): Axis {
  const scale = outLen / inLen;
  return axisFrom(inLen, outLen, (i) => (i + 0.5) / scale - 0.5);
}

/** Number of taps a stride-1 window of radius r keeps at each position (pads excluded). */
export function windowCounts(len: number, r: number): Float64Array {
  const c = new Float64Array(len);
  for (let i = 0; i < len; i++) c[i] = Math.min(i + r, len - 1) - Math.max(i - r, 0) + 1;
  return c;
}

/**
 * One mask channel as a plane of bytes with, per row, a range [lo, hi) outside which it is
 * zero (lo >= hi: an empty row). Most of a crop has no occluder, no arm in front, no old
 * garment: the filters below only work inside the (widened) ranges.
 */
export interface Plane {
  data: Uint8Array;
  lo: Int32Array;
  hi: Int32Array;
}

/** An empty plane of h x w (every row's range empty until set), in scratch buffer `key`. */
export function emptyPlane(h: number, w: number, key: string, scratch: Scratch): Plane {
  return { data: scratch.u8(key, h * w), lo: new Int32Array(h).fill(w), hi: new Int32Array(h) };
}

/** The union [span[0], span[1]) of a plane's non-zero ranges over rows a..b, into `span` (empty: span[0] >= span[1]). */
function rowsSpan(p: Plane, w: number, a: number, b: number, span: Int32Array): void {
  let l = w;
  let e = 0;
  for (let k = a; k <= b; k++) {
    if (p.lo[k] < l) l = p.lo[k];
    if (p.hi[k] > e) e = p.hi[k];
  }
  span[0] = l;
  span[1] = e;
}

/**
 * AveragePool (2r+1)^2, stride 1, pads r, count_include_pad 0 of a plane, times `scale`
 * (1/255 gives 0..1). Keeps running column sums (each row is added as it enters the window
 * and taken off as it leaves, only inside its range), then slides a window along them.
 * Returns the result (in scratch buffer `key`) and its rows' ranges.
 */
export function boxMeanPlane(p: Plane, h: number, w: number, r: number, scale: number, key: string, scratch: Scratch): { data: Float32Array; lo: Int32Array; hi: Int32Array } {
  const out = scratch.f32(key, h * w);
  const span = new Int32Array(2);
  const lo = new Int32Array(h).fill(w);
  const hi = new Int32Array(h);
  const cx = windowCounts(w, r);
  for (let x = 0; x < w; x++) cx[x] = scale / cx[x];
  // Column sums over rows y - r .. y + r at index x + r (zero padding either side).
  const v = new Int32Array(w + 2 * r + 1);
  const src = p.data;
  for (let k = 0; k < Math.min(r, h); k++) for (let x = p.lo[k]; x < p.hi[k]; x++) v[x + r] += src[k * w + x];
  for (let y = 0; y < h; y++) {
    const enter = y + r;
    const leave = y - r - 1;
    if (enter < h && leave >= 0) {
      // One pass over both rows' ranges (a plane is zero outside its rows' ranges).
      const eLo = p.lo[enter];
      const eHi = p.hi[enter];
      const lLo = p.lo[leave];
      const lHi = p.hi[leave];
      if (eLo >= eHi) {
        for (let x = lLo, o = leave * w; x < lHi; x++) v[x + r] -= src[o + x];
      } else if (lLo >= lHi) {
        for (let x = eLo, o = enter * w; x < eHi; x++) v[x + r] += src[o + x];
      } else {
        const from = eLo < lLo ? eLo : lLo;
        const to = eHi > lHi ? eHi : lHi;
        for (let x = from, oe = enter * w, ol = leave * w; x < to; x++) v[x + r] += src[oe + x] - src[ol + x];
      }
    } else if (enter < h) {
      for (let x = p.lo[enter], o = enter * w; x < p.hi[enter]; x++) v[x + r] += src[o + x];
    } else if (leave >= 0) {
      for (let x = p.lo[leave], o = leave * w; x < p.hi[leave]; x++) v[x + r] -= src[o + x];
    }
    const a = Math.max(y - r, 0);
    const b = Math.min(y + r, h - 1);
    rowsSpan(p, w, a, b, span);
    const l = span[0];
    const e = span[1];
    if (l >= e) continue;
    const xa = Math.max(l - r, 0);
    const xb = Math.min(e + r, w);
    lo[y] = xa;
    hi[y] = xb;
    const ky = 1 / (b - a + 1);
    // Window [x - r, x + r] is v[x .. x + 2r].
    let acc = 0;
    for (let k = xa; k < xa + 2 * r; k++) acc += v[k];
    const o = y * w;
    for (let x = xa; x < xb; x++) {
      acc += v[x + 2 * r];
      out[o + x] = acc * ky * cx[x];
      acc -= v[x];
    }
  }
  return { data: out, lo, hi };
}

const NINTH_255 = 1 / (9 * 255);

/** Mean of the 3x3 window (pads excluded) around (x, y) of channel `c` of interleaved bytes, 0..1. */
export function mean3At(src: Uint8Array, C: number, c: number, h: number, w: number, x: number, y: number): number {
  if (x > 0 && y > 0 && x < w - 1 && y < h - 1) {
    // Away from the border (nearly every pixel): nine taps, no pads to count.
    const row = w * C;
    const m = (y * w + x) * C + c;
    const a = m - row;
    const b = m + row;
    const s = src[a - C] + src[a] + src[a + C] + src[m - C] + src[m] + src[m + C] + src[b - C] + src[b] + src[b + C];
    return s * NINTH_255;
  }
  const x0 = x > 0 ? x - 1 : 0;
  const x1 = x < w - 1 ? x + 1 : w - 1;
  const y0 = y > 0 ? y - 1 : 0;
  const y1 = y < h - 1 ? y + 1 : h - 1;
  let s = 0;
  for (let yy = y0; yy <= y1; yy++) for (let xx = x0; xx <= x1; xx++) s += src[(yy * w + xx) * C + c];
  return s / (255 * (x1 - x0 + 1) * (y1 - y0 + 1));
}

/** MaxPool 5x5, stride 1, pads 2 of a plane (padding never wins a max); returns a plane in scratch buffer `key`. */
export function max5Plane(p: Plane, h: number, w: number, key: string, scratch: Scratch): Plane {
  const out = emptyPlane(h, w, key, scratch);
  const span = new Int32Array(2);
  // Column maxima at index x + 2, zero beyond the range.
  const v = new Uint8Array(w + 4);
  const src = p.data;
  for (let y = 0; y < h; y++) {
    const a = Math.max(y - 2, 0);
    const b = Math.min(y + 2, h - 1);
    rowsSpan(p, w, a, b, span);
    const l = span[0];
    const e = span[1];
    if (l >= e) continue;
    for (let x = l; x < e; x++) {
      let m = 0;
      // (A mask is mostly 0 or 255: the first 255 ends the search.)
      for (let k = a * w + x; k <= b * w + x && m !== 255; k += w) if (src[k] > m) m = src[k];
      v[x + 2] = m;
    }
    const xa = Math.max(l - 2, 0);
    const xb = Math.min(e + 2, w);
    out.lo[y] = xa;
    out.hi[y] = xb;
    const o = y * w;
    for (let x = xa; x < xb; x++) {
      // v[x .. x + 4] is the window [x - 2, x + 2].
      let m = v[x];
      if (v[x + 1] > m) m = v[x + 1];
      if (v[x + 2] > m) m = v[x + 2];
      if (v[x + 3] > m) m = v[x + 3];
      if (v[x + 4] > m) m = v[x + 4];
      out.data[o + x] = m;
    }
    for (let x = l; x < e; x++) v[x + 2] = 0;
  }
  return out;
}

/** A small planar float grid [channels, rows, cols]. */
export interface Grid {
  data: Float64Array;
  channels: number;
  rows: number;
  cols: number;
}

/** Cells of a k-pooling of `len` pixels with ceil_mode 1: ceil(len / k). */
export function cellCount(len: number, k: number): number {
  return Math.max(1, Math.ceil(len / k));
}

/** AveragePool k x k, stride k, ceil_mode 1, pads excluded, of a planar grid. */
export function poolCells(g: Grid, k: number): Grid {
  const rows = cellCount(g.rows, k);
  const cols = cellCount(g.cols, k);
  const data = new Float64Array(g.channels * rows * cols);
  const cx = new Int32Array(g.cols);
  for (let x = 0; x < g.cols; x++) cx[x] = Math.floor(x / k);
  const plane = rows * cols;
  for (let c = 0; c < g.channels; c++) {
    const src = c * g.rows * g.cols;
    const dst = c * plane;
    for (let y = 0; y < g.rows; y++) {
      const cy = dst + Math.floor(y / k) * cols;
      const o = src + y * g.cols;
      for (let x = 0; x < g.cols; x++) data[cy + cx[x]] += g.data[o + x];
    }
    // Cells hold k x k inputs, fewer in the last row and column.
    for (let y = 0; y < rows; y++) {
      const ny = Math.min(g.rows, (y + 1) * k) - y * k;
      for (let x = 0; x < cols; x++) data[dst + y * cols + x] /= ny * (Math.min(g.cols, (x + 1) * k) - x * k);
    }
  }
  return { data, channels: g.channels, rows, cols };
}

const THIRD = 1 / 3;

/** 3-tap mean along a line of `len` values at `src[o + i * step]` (ends: 2 taps), into dst. */
function mean3(src: Float64Array, dst: Float64Array, o: number, step: number, len: number): void {
  if (len === 1) {
    dst[o] = src[o];
    return;
  }
  let prev = src[o];
  let cur = src[o + step];
  dst[o] = (prev + cur) / 2;
  let p = o + step;
  for (let i = 1; i < len - 1; i++) {
    const next = src[p + step];
    dst[p] = (prev + cur + next) * THIRD;
    prev = cur;
    cur = next;
    p += step;
  }
  dst[p] = (prev + cur) / 2;
}

/** AveragePool 3x3, stride 1, pads 1, count_include_pad 0 of a planar grid (separable), in place. */
export function smooth3(g: Grid, scratch = new Scratch()): Grid {
  const { rows, cols, channels } = g;
  const tmp = scratch.f64('smooth3', g.data.length);
  const plane = rows * cols;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < rows; y++) mean3(g.data, tmp, c * plane + y * cols, 1, cols);
    for (let x = 0; x < cols; x++) mean3(tmp, g.data, c * plane + x, cols, rows);
  }
  return g;
}

/**
 * The weights of poolCells(smooth3(smooth3(x)), k) along one axis of `len` values: output cell
 * j is the sum over i in [from[j], from[j] + span) of w[j * span + i - from[j]] * x[i]. Both
 * steps are linear and the 2-D ones separable, so this is exact up to float rounding.
 */
interface PoolWeights {
  out: number;
  from: Int32Array;
  span: number;
  w: Float64Array;
}

function poolWeights(len: number, k: number): PoolWeights {
  const out = cellCount(len, k);
  // Cell j's pooling row, then times the smoothing twice from the right (v S: each input i
  // gives its share to the outputs whose 3-tap window holds it).
  const span = Math.min(len, k + 4);
  const from = new Int32Array(out);
  const w = new Float64Array(out * span);
  const v = new Float64Array(len);
  const u = new Float64Array(len);
  for (let j = 0; j < out; j++) {
    v.fill(0);
    const a = j * k;
    const b = Math.min(len, a + k);
    for (let i = a; i < b; i++) v[i] = 1 / (b - a);
    for (let pass = 0; pass < 2; pass++) {
      u.fill(0);
      for (let i = 0; i < len; i++) {
        if (v[i] === 0) continue;
        const lo = Math.max(i - 1, 0);
        const hi = Math.min(i + 1, len - 1);
        for (let t = lo; t <= hi; t++) u[t] += v[i] / (hi - lo + 1);
      }
      v.set(u);
    }
    from[j] = Math.min(Math.max(a - 2, 0), len - span);
    for (let i = 0; i < span; i++) w[j * span + i] = v[from[j] + i];
  }
  return { out, from, span, w };
}

/** poolCells(smooth3(smooth3(g)), k) in two small passes (without smoothing g at full size). */
export function smoothPool(g: Grid, k: number, scratch = new Scratch()): Grid {
  const { rows, cols, channels } = g;
  const px = poolWeights(cols, k);
  const py = poolWeights(rows, k);
  const outPlane = py.out * px.out;
  const data = new Float64Array(channels * outPlane);
  // Along rows first: [rows, px.out] per channel.
  const tmp = scratch.f64('smoothPool', rows * px.out);
  for (let c = 0; c < channels; c++) {
    const src = c * rows * cols;
    for (let y = 0; y < rows; y++) {
      const o = src + y * cols;
      for (let j = 0; j < px.out; j++) {
        const f = o + px.from[j];
        const wo = j * px.span;
        let acc = 0;
        for (let i = 0; i < px.span; i++) acc += px.w[wo + i] * g.data[f + i];
        tmp[y * px.out + j] = acc;
      }
    }
    const dst = c * outPlane;
    for (let j = 0; j < py.out; j++) {
      const wo = j * py.span;
      for (let x = 0; x < px.out; x++) {
        let acc = 0;
        for (let i = 0; i < py.span; i++) acc += py.w[wo + i] * tmp[(py.from[j] + i) * px.out + x];
        data[dst + j * px.out + x] = acc;
      }
    }
  }
  return { data, channels, rows: py.out, cols: px.out };
}

/**
 * Bilinear up-sampling of a small planar grid to full size, one output row at a time:
 * `row(y)` fills `buf` ([channels, cols]) with the grid interpolated at output row y, and
 * `at(c, x)` interpolates channel c of that row at output column x.
 */
export class RowUpsampler {
  /** [channels, cols]: the grid interpolated at the last row asked for. */
  readonly buf: Float64Array;
  /** Columns of the grid (the stride of `buf`'s channels). */
  readonly cols: number;
  /** The horizontal taps, for callers that inline `at`. */
  readonly ax: Axis;
  private readonly ay: Axis;

  constructor(
    private readonly g: Grid,
    h: number,
    w: number,
    axis: (inLen: number, outLen: number) => Axis = halfPixelAxis,
  ) {
    this.ay = axis(g.rows, h);
    this.ax = axis(g.cols, w);
    this.cols = g.cols;
    this.buf = new Float64Array(g.channels * g.cols);
  }

  row(y: number): void {
    const { g, buf } = this;
    const t = this.ay.t[y];
    const a = this.ay.i0[y] * g.cols;
    const b = this.ay.i1[y] * g.cols;
    const plane = g.rows * g.cols;
    for (let c = 0; c < g.channels; c++) {
      const o = c * plane;
      const d = c * g.cols;
      for (let x = 0; x < g.cols; x++) {
        const top = g.data[o + a + x];
        buf[d + x] = top + (g.data[o + b + x] - top) * t;
      }
    }
  }

  at(c: number, x: number): number {
    const d = c * this.cols;
    const l = this.buf[d + this.ax.i0[x]];
    return l + (this.buf[d + this.ax.i1[x]] - l) * this.ax.t[x];
  }
}
