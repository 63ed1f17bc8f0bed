/**
 * The warp graph (src/render/graphs.ts, buildWarpGraph) in plain TypeScript, fused into one
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
 * Tried and dropped: an interleaved 16-bit copy of the texture and an 8x8 occupancy map of it
 * sample a little faster, but tryOn builds a new texture per pair (its seams follow the fit),
 * and building either cost more than it saved.
 */
import { TryonError } from '../../errors.ts';
import { TEX_CHANNELS } from '../graphs.ts';
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
  t: Float32Array;
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
  const { t, tw, th, out, n, i0, i1, tx: tt } = s;
  const tn = tw * th;
  const ka = (3 * m + 2) * cols;
  const kx = 3 * m * cols;
  const ky = kx + cols;
  const pc = 3 + m;
  const p0 = (m === 0 ? 0 : 4 * n) + y * s.w;
  for (let x = xFrom; x < xTo; x++) {
    const c0 = i0[x];
    const c1 = i1[x];
    const tx = tt[x];
    let allow = row[ka + c0] + (row[ka + c1] - row[ka + c0]) * tx;
    if (!(allow > 0)) continue;
    if (allow > 1) allow = 1;
    const fx = row[kx + c0] + (row[kx + c1] - row[kx + c0]) * tx;
    const fy = row[ky + c0] + (row[ky + c1] - row[ky + c0]) * tx;
    // Wholly outside (every tap in the zero padding), or not a number: nothing.
    if (!(fx > -1 && fy > -1 && fx < tw && fy < th)) continue;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const wx = fx - x0;
    const wy = fy - y0;
    // Zero padding: a tap outside the texture weighs nothing (its index is clamped to stay in bounds).
    const okL = x0 >= 0;
    const okR = x0 + 1 < tw;
    const okT = y0 >= 0;
    const okB = y0 + 1 < th;
    const w00 = okT && okL ? (1 - wx) * (1 - wy) : 0;
    const w01 = okT && okR ? wx * (1 - wy) : 0;
    const w10 = okB && okL ? (1 - wx) * wy : 0;
    const w11 = okB && okR ? wx * wy : 0;
    const xl = okL ? x0 : 0;
    const xr = okR ? x0 + 1 : tw - 1;
    const yt = (okT ? y0 : 0) * tw;
    const yb = (okB ? y0 + 1 : th - 1) * tw;
    const i00 = yt + xl;
    const i01 = yt + xr;
    const i10 = yb + xl;
    const i11 = yb + xr;
    const q = pc * tn;
    const part = (t[q + i00] * w00 + t[q + i01] * w01 + t[q + i10] * w10 + t[q + i11] * w11) * allow;
    if (part === 0) continue;
    const total = t[6 * tn + i00] * w00 + t[6 * tn + i01] * w01 + t[6 * tn + i10] * w10 + t[6 * tn + i11] * w11;
    // The part's share of the premultiplied colour sampled there.
    const share = part / (total > EPS ? total : EPS);
    const r = (t[i00] * w00 + t[i01] * w01 + t[i10] * w10 + t[i11] * w11) * share;
    const g = (t[tn + i00] * w00 + t[tn + i01] * w01 + t[tn + i10] * w10 + t[tn + i11] * w11) * share;
    const b = (t[2 * tn + i00] * w00 + t[2 * tn + i01] * w01 + t[2 * tn + i10] * w10 + t[2 * tn + i11] * w11) * share;
    const j = p0 + x;
    if (m === 2) {
      const under = 1 - out[j + 3 * n];
      out[j] += r * under;
      out[j + n] += g * under;
      out[j + 2 * n] += b * under;
      out[j + 3 * n] += part * under;
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
  const tw = tex.width;
  const th = tex.height;
  const t = tex.data;
  const { rows, cols } = grid;
  const g = grid.data;
  const plane = rows * cols;
  const ax = alignAxis(cols, w);
  const ay = alignAxis(rows, h);
  const n = h * w;
  let out: Float32Array;
  if (into && into.length >= 8 * n) {
    out = into.subarray(0, 8 * n);
    out.fill(0);
  } else out = new Float32Array(8 * n);
  const s: Sampler = { t, tw, th, out, n, w, i0: ax.i0, i1: ax.i1, tx: ax.t };
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

  for (let y = 0; y < h; y++) {
    const ty = ay.t[y];
    const r0 = ay.i0[y] * cols;
    const r1 = ay.i1[y] * cols;
    for (let k = 0; k < 9; k++) {
      const o = k * plane;
      const d = k * cols;
      const kind = k % 3;
      const size = kind === 0 ? tw : th;
      for (let x = 0; x < cols; x++) {
        const a = g[o + r0 + x];
        const v = a + (g[o + r1 + x] - a) * ty;
        row[d + x] = kind === 2 ? v : ((v + 1) * size - 1) * 0.5;
      }
    }
    for (let m = 0; m < 3; m++) {
      const ka = (3 * m + 2) * cols;
      let first = -1;
      let last = -1;
      for (let c = 0; c < cols; c++) {
        if (row[ka + c] > 0) {
          if (first < 0) first = c;
          last = c;
        }
      }
      if (first >= 0) sampleRow(s, m, row, cols, y, fromX[first], toX[last]);
    }
  }
  return out;
}
