/**
 * The warp graph (src/engines/onnx/graphs.ts, buildWarpGraph) in plain TypeScript, fused into one
 * pass per output row and map: the coarse inverse-warp grid is interpolated (Resize linear,
 * align_corners) a row at a time, only the span of the row where the map's allowance is above
 * 0 is visited (a sleeve's is short), and there the garment texture is sampled (GridSample
 * bilinear, zeros, align_corners 0) for just the five channels the map uses, the colour only
 * where the part's alpha is not 0. On one CPU core this is several times faster than
 * onnxruntime running the graph op by op (scripts/bench-render.ts), and it is synchronous:
 * safe to run in a worker thread.
 *
 *   const layers = warpCpu(tex, grid, box.height, box.width); // [8, h, w] planar, as the graph
 *
 * Output layout, [8, h, w] float32 (the graph's): 0-2 main part premultiplied RGB, 3 its alpha,
 * 4-6 both sleeves premultiplied RGB (left over right), 7 their alpha.
 *
 * A worker reuses one LayersBuffer (below) instead of clearing a layers buffer whole per pair.
 *
 * Tried and dropped: an interleaved 16-bit copy of the texture and an 8x8 occupancy map of it
 * sample a little faster, but tryOn builds a new texture per pair (its seams follow the fit),
 * and building either cost more than it saved.
 */
import { TryonError } from '../../errors.ts';
import { TEX_CHANNELS } from '../contract.ts';
import { alignAxis } from './filters.ts';

/** The texture as src/render/texture.ts builds it: [7, height, width] planar. */
export interface TextureLike {
  data: Float32Array;
  width: number;
  height: number;
}

/** The coarse grid as src/fit/warp.ts builds it: [9, rows, cols]. */
export interface GridLike {
  data: Float32Array;
  rows: number;
  cols: number;
}

const EPS = 1e-4;
function check(tex: TextureLike, grid: GridLike, h: number, w: number): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new TryonError('BAD_INPUT', `warp: expected a positive integer crop size but received ${w}x${h}`, { input: 'box' });
  }
  if (tex.width < 1 || tex.height < 1 || tex.data.length < TEX_CHANNELS * tex.width * tex.height) {
    throw new TryonError('BAD_INPUT', `warp: texture data (${tex.data.length} values) is smaller than [${TEX_CHANNELS}, ${tex.height}, ${tex.width}]`, { input: 'texture' });
  }
  if (grid.rows < 1 || grid.cols < 1 || grid.data.length < 9 * grid.rows * grid.cols) {
    throw new TryonError('BAD_INPUT', `warp: grid data (${grid.data.length} values) is smaller than [9, ${grid.rows}, ${grid.cols}]`, { input: 'grid' });
  }
}

/** Everything the sampling of a map along a row needs, set up once per call. */
interface Sampler {
  /** The texture's channels as separate views: premultiplied R, G, B, the three parts' alphas, the whole alpha. */
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
  parts: Float32Array[];
  a: Float32Array;
  tw: number;
  th: number;
  out: Float32Array;
  n: number;
  w: number;
  i0: Int32Array;
  i1: Int32Array;
  tx: Float64Array;
}

/**
 * Samples map m along output row y for x in [xFrom, xTo), given the grid interpolated at that
 * row (`row`, [9, cols], coordinates already in texel units). Map 0 writes the main layer,
 * map 1 the sleeve layer, and map 2 goes under map 1 there (left over right).
 */
function sampleRow(s: Sampler, m: number, row: Float64Array, cols: number, y: number, xFrom: number, xTo: number): void {
  const { r: tr, g: tg, b: tb, a: ta, tw, th, out, n, i0, i1, tx: tt } = s;
  const tp = s.parts[m];
  const ka = (3 * m + 2) * cols;
  const kx = 3 * m * cols;
  const ky = kx + cols;
  const p0 = (m === 0 ? 0 : 4 * n) + y * s.w;
  const under = m === 2;
  // Taps wholly inside the texture: no zero padding to weigh (most of a garment).
  const xIn = tw - 1;
  const yIn = th - 1;
  for (let x = xFrom; x < xTo; x++) {
    const c0 = i0[x];
    const c1 = i1[x];
    const tx = tt[x];
    const a0 = row[ka + c0];
    let allow = a0 + (row[ka + c1] - a0) * tx;
    if (!(allow > 0)) continue;
    if (allow > 1) allow = 1;
    const x0r = row[kx + c0];
    const fx = x0r + (row[kx + c1] - x0r) * tx;
    const y0r = row[ky + c0];
    const fy = y0r + (row[ky + c1] - y0r) * tx;
    // Wholly outside (every tap in the zero padding), or not a number: nothing.
    if (!(fx > -1 && fy > -1 && fx < tw && fy < th)) continue;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const wx = fx - x0;
    const wy = fy - y0;
    let i00: number;
    let i01: number;
    let i10: number;
    let i11: number;
    let w00: number;
    let w01: number;
    let w10: number;
    let w11: number;
    if (x0 >= 0 && y0 >= 0 && x0 < xIn && y0 < yIn) {
      i00 = y0 * tw + x0;
      i01 = i00 + 1;
      i10 = i00 + tw;
      i11 = i10 + 1;
      const vx = 1 - wx;
      const vy = 1 - wy;
      w00 = vx * vy;
      w01 = wx * vy;
      w10 = vx * wy;
      w11 = wx * wy;
    } else {
      // Zero padding: a tap outside the texture weighs nothing (its index is clamped to stay in bounds).
      const okL = x0 >= 0;
      const okR = x0 + 1 < tw;
      const okT = y0 >= 0;
      const okB = y0 + 1 < th;
      w00 = okT && okL ? (1 - wx) * (1 - wy) : 0;
      w01 = okT && okR ? wx * (1 - wy) : 0;
      w10 = okB && okL ? (1 - wx) * wy : 0;
      w11 = okB && okR ? wx * wy : 0;
      const xl = okL ? x0 : 0;
      const xr = okR ? x0 + 1 : tw - 1;
      const yt = (okT ? y0 : 0) * tw;
      const yb = (okB ? y0 + 1 : th - 1) * tw;
      i00 = yt + xl;
      i01 = yt + xr;
      i10 = yb + xl;
      i11 = yb + xr;
    }
    const part = (tp[i00] * w00 + tp[i01] * w01 + tp[i10] * w10 + tp[i11] * w11) * allow;
    if (part === 0) continue;
    const total = ta[i00] * w00 + ta[i01] * w01 + ta[i10] * w10 + ta[i11] * w11;
    // The part's share of the premultiplied colour sampled there.
    const share = part / (total > EPS ? total : EPS);
    const r = (tr[i00] * w00 + tr[i01] * w01 + tr[i10] * w10 + tr[i11] * w11) * share;
    const g = (tg[i00] * w00 + tg[i01] * w01 + tg[i10] * w10 + tg[i11] * w11) * share;
    const b = (tb[i00] * w00 + tb[i01] * w01 + tb[i10] * w10 + tb[i11] * w11) * share;
    const j = p0 + x;
    if (under) {
      const u = 1 - out[j + 3 * n];
      out[j] += r * u;
      out[j + n] += g * u;
      out[j + 2 * n] += b * u;
      out[j + 3 * n] += part * u;
    } else {
      out[j] = r;
      out[j + n] = g;
      out[j + 2 * n] = b;
      out[j + 3 * n] = part;
    }
  }
}

/**
 * The warp graph's `layers` output.
 * @param tex the garment texture [7, th, tw]
 * @param grid the coarse inverse warp [9, rows, cols] (GridSample coordinates and allowance per map)
 * @param h crop height, @param w crop width
 * @param into optional buffer of at least 8 * h * w floats to write into (a worker can reuse
 *   one from pair to pair instead of allocating 8 crops' worth each time); it is cleared first
 * @returns [8, h, w] float32 planar, the graph's layout (a view of `into` when given)
 * @throws TryonError('BAD_INPUT') when the arrays are smaller than their sizes say
 */
export function warpCpu(tex: TextureLike, grid: GridLike, h: number, w: number, into?: Float32Array): Float32Array {
  check(tex, grid, h, w);
  const n = h * w;
  let out: Float32Array;
  if (into && into.length >= 8 * n) {
    out = into.subarray(0, 8 * n);
    out.fill(0);
  } else out = new Float32Array(8 * n);
  warpInto(tex, grid, h, w, out);
  return out;
}

/**
 * The warp into `out` ([8, h, w], all zeros), recording in `spans` ([4, h] when given) each
 * row's columns [lo, hi) it may have written: main layer (channels 0-3), then sleeve layer (4-7).
 */
function warpInto(tex: TextureLike, grid: GridLike, h: number, w: number, out: Float32Array, spans?: Int32Array): void {
  const tw = tex.width;
  const th = tex.height;
  const t = tex.data;
  const { rows, cols } = grid;
  const g = grid.data;
  const plane = rows * cols;
  const ax = alignAxis(cols, w);
  const ay = alignAxis(rows, h);
  const n = h * w;
  const tn = tw * th;
  const texPlane = (c: number): Float32Array => t.subarray(c * tn, (c + 1) * tn);
  const s: Sampler = { r: texPlane(0), g: texPlane(1), b: texPlane(2), parts: [texPlane(3), texPlane(4), texPlane(5)], a: texPlane(6), tw, th, out, n, w, i0: ax.i0, i1: ax.i1, tx: ax.t };
  // Output columns each grid interval reaches: where allowance > 0 at grid columns c..d only
  // x in [fromX[c], toX[d]) can have it (the interpolation of values <= 0 is <= 0).
  const fromX = new Int32Array(cols).fill(w);
  const toX = new Int32Array(cols);
  for (let x = w - 1; x >= 0; x--) fromX[ax.i1[x]] = x;
  for (let c = cols - 2; c >= 0; c--) fromX[c] = Math.min(fromX[c], fromX[c + 1]);
  for (let x = 0; x < w; x++) toX[ax.i0[x]] = x + 1;
  for (let c = 1; c < cols; c++) toX[c] = Math.max(toX[c], toX[c - 1]);
  // The grid's 9 channels interpolated at the current output row, coordinates in texels
  // (GridSample align_corners 0: -1 and 1 are the outer edges of the outer texels; the map
  // is linear, so converting before the horizontal interpolation changes nothing).
  const row = new Float64Array(9 * cols);

  if (spans) spans.fill(0, 0, 4 * h);
  for (let y = 0; y < h; y++) {
    const ty = ay.t[y];
    const r0 = ay.i0[y] * cols;
    const r1 = ay.i1[y] * cols;
    for (let m = 0; m < 3; m++) {
      // The allowance first: most rows of a sleeve map have none, and then its coordinates
      // are not needed at all.
      const ka = (3 * m + 2) * cols;
      const oa = (3 * m + 2) * plane;
      let first = -1;
      let last = -1;
      for (let c = 0; c < cols; c++) {
        const a = g[oa + r0 + c];
        const v = a + (g[oa + r1 + c] - a) * ty;
        row[ka + c] = v;
        if (v > 0) {
          if (first < 0) first = c;
          last = c;
        }
      }
      if (first < 0) continue;
      // sampleRow reads the grid columns [first - 1, last + 1] only (see fromX, toX).
      const cFrom = first > 0 ? first - 1 : 0;
      const cTo = last + 1 < cols ? last + 1 : cols - 1;
      for (let k = 3 * m; k < 3 * m + 2; k++) {
        const o = k * plane;
        const d = k * cols;
        const size = k === 3 * m ? tw : th;
        for (let c = cFrom; c <= cTo; c++) {
          const a = g[o + r0 + c];
          const v = a + (g[o + r1 + c] - a) * ty;
          row[d + c] = ((v + 1) * size - 1) * 0.5;
        }
      }
      const lo = fromX[first];
      const hi = toX[last];
      sampleRow(s, m, row, cols, y, lo, hi);
      if (spans) {
        // Main layer: spans[y], spans[h + y]; sleeve layer (both sleeve maps): spans[2h + y], spans[3h + y].
        const k = m === 0 ? y : 2 * h + y;
        if (spans[k + h] <= spans[k] || lo < spans[k]) spans[k] = lo;
        if (hi > spans[k + h]) spans[k + h] = hi;
      }
    }
  }
}

/**
 * A layers buffer reused from warp to warp that is never cleared whole: it is all zeros
 * between uses but for the spans the last warp wrote, and only those are cleared before the
 * next. Clearing 8 crops' worth of floats per pair (~9 MB) cost a tenth of the warp and pushed
 * the texture out of the cache. One per thread (src/engines/js/engine.ts); the array `warp`
 * returns is valid until its next call and must not be written to.
 */
export class LayersBuffer {
  private data = new Float32Array(0);
  private spans = new Int32Array(0);
  private h = 0;
  private w = 0;

  /** warpCpu's result (the same values), in this buffer. */
  warp(tex: TextureLike, grid: GridLike, h: number, w: number): Float32Array {
    check(tex, grid, h, w);
    this.clear();
    const n = h * w;
    // A quarter of headroom, so that crops growing by a few pixels do not each reallocate.
    if (this.data.length < 8 * n) this.data = new Float32Array(Math.ceil(10 * n));
    if (this.spans.length < 4 * h) this.spans = new Int32Array(Math.ceil(5 * h));
    const out = this.data.subarray(0, 8 * n);
    this.h = h;
    this.w = w;
    warpInto(tex, grid, h, w, out, this.spans);
    return out;
  }

  private clear(): void {
    const { h, w, data, spans } = this;
    const n = h * w;
    for (let y = 0; y < h; y++) {
      for (let layer = 0; layer < 2; layer++) {
        const lo = spans[2 * layer * h + y];
        const hi = spans[(2 * layer + 1) * h + y];
        if (hi <= lo) continue;
        for (let c = 4 * layer; c < 4 * layer + 4; c++) data.fill(0, c * n + y * w + lo, c * n + y * w + hi);
      }
    }
    this.h = 0;
  }
}
