/**
 * What the composite's per-pixel pass reads besides its inputs, computed as the composite graph
 * does (src/engines/onnx/graphs.ts): the feathered masks at full size (occluder, arm in front, old
 * garment grown then feathered, inside the body) and the low-pass fields as small grids with
 * their row up-samplers (the old garment's local luminance and coverage for the shading, the
 * nearby visible skin colour, the nearby background colour, each with its confidence).
 *
 * One pass over the masks splits out the feathered channels and pools the photo under the
 * skin and background masks; every later step works on the small grids or only inside the
 * rows' non-zero ranges of a mask.
 */
import { MASK } from '../contract.ts';
import { boxMeanPlane, cellCount, emptyPlane, max5Plane, RowUpsampler, smooth3, smoothPool, type Grid, type Plane } from './filters.ts';
import type { Scratch } from './scratch.ts';

const EPS = 1e-4;
export const LUM = [0.299, 0.587, 0.114] as const;

export interface CompositeFields {
  /**
   * Feathered masks [h, w], 0..1: occluder, arm in front, old garment (grown first), in
   * scratch buffers valid until the next call. The
   * inside-the-body mask is needed only where skin is painted: the per-pixel pass feathers it
   * there (mean3At).
   */
  occ: Float32Array;
  arm: Float32Array;
  old: Float32Array;
  /** Per row, the columns [oldLo, oldHi) outside which `old` is 0. */
  oldLo: Int32Array;
  oldHi: Int32Array;
  /** [local luminance of the old garment, its low-passed coverage]. */
  shade: RowUpsampler;
  /** Nearby visible skin [R, G, B, confidence 0..0.8]. */
  near: RowUpsampler;
  /** Nearby background [R, G, B, confidence 0..1]. */
  bg: RowUpsampler;
}

/** A zeroed grid of k-pooling cells (in scratch buffer `key`: used within one call only). */
function grid(channels: number, h: number, w: number, k: number, key: string, scratch: Scratch): Grid {
  const rows = cellCount(h, k);
  const cols = cellCount(w, k);
  return { data: scratch.f64(key, channels * rows * cols), channels, rows, cols };
}

/** Column index -> cell index for a k-pooling. */
function cellsOf(len: number, k: number): Int32Array {
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.floor(i / k);
  return out;
}

/** Divides cell sums by the number of pixels each cell holds (partial edge cells: fewer) and by `scale[c]`. */
function toMeans(g: Grid, h: number, w: number, k: number, scale: number[]): Grid {
  const plane = g.rows * g.cols;
  for (let cy = 0; cy < g.rows; cy++) {
    const ny = Math.min(h, (cy + 1) * k) - cy * k;
    for (let cx = 0; cx < g.cols; cx++) {
      const f = 1 / (ny * (Math.min(w, (cx + 1) * k) - cx * k));
      for (let c = 0; c < g.channels; c++) g.data[c * plane + cy * g.cols + cx] *= f * scale[c];
    }
  }
  return g;
}

function channelsOf(g: Grid, from: number, to: number): Grid {
  const plane = g.rows * g.cols;
  return { data: g.data.subarray(from * plane, to * plane), channels: to - from, rows: g.rows, cols: g.cols };
}

/** num (channels 1..) / max(den (channel 0), EPS), then `conf(den)` as the last channel. */
function ratioGrid(g: Grid, conf: (den: number) => number): Grid {
  const plane = g.rows * g.cols;
  const out: Grid = { data: new Float64Array(g.data.length), channels: g.channels, rows: g.rows, cols: g.cols };
  for (let i = 0; i < plane; i++) {
    const den = g.data[i];
    const d = den > EPS ? den : EPS;
    for (let c = 1; c < g.channels; c++) out.data[(c - 1) * plane + i] = g.data[c * plane + i] / d;
    out.data[(g.channels - 1) * plane + i] = conf(den);
  }
  return out;
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * One pass over the masks: the three channels feathered at full size as planes (with each row's non-zero
 * range), and the 4-px pooling sums of visible skin, photo * skin, background and photo *
 * background (0..255 and 0..255^2 units).
 */
function split(masks: Uint8Array, C: number, photo: Uint8Array, h: number, w: number, scratch: Scratch): { planes: Plane[]; four: Grid } {
  const planes = [0, 1, 2].map((c) => emptyPlane(h, w, `plane${c}`, scratch));
  const [p0, p1, p2] = planes;
  const [d0, d1, d2] = planes.map((p) => p.data);
  const four = grid(8, h, w, 4, 'four', scratch);
  const fd = four.data;
  const fp = four.rows * four.cols;
  for (let y = 0; y < h; y++) {
    let lo0 = w;
    let hi0 = 0;
    let lo1 = w;
    let hi1 = 0;
    let lo2 = w;
    let hi2 = 0;
    const rowF = (y >> 2) * four.cols;
    for (let x0 = 0; x0 < w; x0 += 4) {
      // One cell's run of up to 4 pixels summed in locals, then added to the grid once.
      let sk = 0, skr = 0, skg = 0, skb = 0, bg = 0, bgr = 0, bgg = 0, bgb = 0;
      const end = Math.min(x0 + 4, w);
      for (let x = x0; x < end; x++) {
        const i = y * w + x;
        const m = i * C;
        const v0 = masks[m + MASK.occluder];
        const v1 = masks[m + MASK.armFront];
        const v2 = masks[m + MASK.old];
        if ((v0 | v1 | v2) !== 0) {
          if (v0 !== 0) {
            d0[i] = v0;
            if (x < lo0) lo0 = x;
            hi0 = x + 1;
          }
          if (v1 !== 0) {
            d1[i] = v1;
            if (x < lo1) lo1 = x;
            hi1 = x + 1;
          }
          if (v2 !== 0) {
            d2[i] = v2;
            if (x < lo2) lo2 = x;
            hi2 = x + 1;
          }
        }
        const s = masks[m + MASK.skin];
        const b = masks[m + MASK.background];
        if ((s | b) !== 0) {
          const pr = photo[3 * i];
          const pg = photo[3 * i + 1];
          const pb = photo[3 * i + 2];
          sk += s;
          skr += pr * s;
          skg += pg * s;
          skb += pb * s;
          bg += b;
          bgr += pr * b;
          bgg += pg * b;
          bgb += pb * b;
        }
      }
      // (A cell with neither skin nor background, e.g. the old garment's, adds nothing.)
      if (sk === 0 && bg === 0) continue;
      const f = rowF + (x0 >> 2);
      fd[f] += sk;
      fd[fp + f] += skr;
      fd[2 * fp + f] += skg;
      fd[3 * fp + f] += skb;
      fd[4 * fp + f] += bg;
      fd[5 * fp + f] += bgr;
      fd[6 * fp + f] += bgg;
      fd[7 * fp + f] += bgb;
    }
    p0.lo[y] = lo0;
    p0.hi[y] = hi0;
    p1.lo[y] = lo1;
    p1.hi[y] = hi1;
    p2.lo[y] = lo2;
    p2.hi[y] = hi2;
  }
  return { planes, four };
}

/** old and lum * old pooled at `pool`, visiting only the rows' ranges where there is old garment. */
function poolOld(old: { data: Float32Array; lo: Int32Array; hi: Int32Array }, photo: Uint8Array, h: number, w: number, pool: number, scratch: Scratch): Grid {
  const A = grid(2, h, w, pool, 'shade', scratch);
  const ap = A.rows * A.cols;
  const ad = A.data;
  const cx = cellsOf(w, pool);
  const d = old.data;
  // Luminance 0..1 from bytes.
  const R = LUM[0] / 255;
  const G = LUM[1] / 255;
  const B = LUM[2] / 255;
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / pool) * A.cols;
    for (let x = old.lo[y]; x < old.hi[y]; x++) {
      const i = y * w + x;
      const o = d[i];
      if (o === 0) continue;
      const a = row + cx[x];
      ad[a] += o;
      ad[ap + a] += (R * photo[3 * i] + G * photo[3 * i + 1] + B * photo[3 * i + 2]) * o;
    }
  }
  return A;
}

/**
 * The feathered masks and low-pass fields of the composite graph for a crop.
 * @param C the masks' channel count (>= 7)
 * @param pool the shading's low-pass cell in pixels
 * @param scratch the working buffers (the results' planes are in them: valid until its next use)
 */
export function compositeFields(masks: Uint8Array, C: number, photo: Uint8Array, h: number, w: number, pool: number, scratch: Scratch): CompositeFields {
  const s255 = 1 / 255;
  const { planes, four } = split(masks, C, photo, h, w, scratch);
  // 3x3 AveragePools; for the old garment MaxPool 5x5 (it grows by two pixels) then AveragePool 5x5.
  const occ = boxMeanPlane(planes[0], h, w, 1, s255, 'occ', scratch).data;
  const arm = boxMeanPlane(planes[1], h, w, 1, s255, 'arm', scratch).data;
  const old = boxMeanPlane(max5Plane(planes[2], h, w, 'grown', scratch), h, w, 2, s255, 'old', scratch);
  const smooth2 = (g: Grid): Grid => smooth3(smooth3(g, scratch), scratch);

  const shade = ratioGrid(smooth2(toMeans(poolOld(old, photo, h, w, pool, scratch), h, w, pool, [1, 1])), (den) => den);
  // Back to the graph's 0..1 units: masks / 255, photo * mask / 255^2.
  const u = s255;
  const uu = s255 * s255;
  // The graph smooths the 4-px grid twice, then pools it again (coarse): fused in smoothPool.
  const F4 = toMeans(four, h, w, 4, [u, uu, uu, uu, u, uu, uu, uu]);
  // The nearby skin over cells of 4 * wide px (about 0.8 shoulder widths).
  const wide = Math.min(pool * 4, 64);
  const near = ratioGrid(smooth2(smoothPool(channelsOf(F4, 0, 4), wide, scratch)), (den) => clip(den * 8, 0, 0.8));
  const bg = ratioGrid(smooth2(smoothPool(channelsOf(F4, 4, 8), pool, scratch)), (den) => clip(den * 20, 0, 1));
  return {
    occ,
    arm,
    old: old.data,
    oldLo: old.lo,
    oldHi: old.hi,
    shade: new RowUpsampler(shade, h, w),
    near: new RowUpsampler(near, h, w),
    bg: new RowUpsampler(bg, h, w),
  };
}
