/**
 * What the composite's per-pixel pass reads besides its inputs, computed as the composite graph
 * does (src/engines/onnx/graphs.ts): the feathered masks at full size (occluder, arm in front, old
 * garment grown then feathered) and the shading's low-pass field as a small grid with its row
 * up-sampler (the old garment's local luminance and coverage).
 *
 * One pass over the masks splits out the channels; every later step works on the small grid or
 * only inside the rows' non-zero ranges of a mask.
 */
import { MASK } from '../contract.ts';
import { boxMeanPlane, cellCount, emptyPlane, max5Plane, RowUpsampler, smooth3, type Grid, type Plane } from './filters.ts';
import type { Scratch } from './scratch.ts';

const EPS = 1e-4;
export const LUM = [0.299, 0.587, 0.114] as const;

export interface CompositeFields {
  /** Feathered masks [h, w], 0..1: occluder, arm in front, old garment (grown first), in scratch buffers valid until the next call. */
  occ: Float32Array;
  arm: Float32Array;
  old: Float32Array;
  /** Per row, the columns [oldLo, oldHi) outside which `old` is 0. */
  oldLo: Int32Array;
  oldHi: Int32Array;
  /** [local luminance of the old garment, its low-passed coverage]. */
  shade: RowUpsampler;
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

/** One pass over the masks: the three channels at full size as planes, with each row's non-zero range. */
function split(masks: Uint8Array, C: number, h: number, w: number, scratch: Scratch): Plane[] {
  const planes = [0, 1, 2].map((c) => emptyPlane(h, w, `plane${c}`, scratch));
  const channel = [MASK.occluder, MASK.armFront, MASK.old];
  for (let c = 0; c < 3; c++) {
    const { data, lo, hi } = planes[c];
    const off = channel[c];
    for (let y = 0; y < h; y++) {
      let l = w;
      let r = 0;
      for (let x = 0, m = y * w * C + off; x < w; x++, m += C) {
        const v = masks[m];
        if (v === 0) continue;
        data[y * w + x] = v;
        if (x < l) l = x;
        r = x + 1;
      }
      lo[y] = l;
      hi[y] = r;
    }
  }
  return planes;
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
 * The feathered masks and the shading's low-pass field of the composite graph for a crop.
 * @param C the masks' channel count (>= MASK_CHANNELS)
 * @param pool the shading's low-pass cell in pixels
 * @param scratch the working buffers (the results' planes are in them: valid until its next use)
 */
export function compositeFields(masks: Uint8Array, C: number, photo: Uint8Array, h: number, w: number, pool: number, scratch: Scratch): CompositeFields {
  const s255 = 1 / 255;
  const planes = split(masks, C, h, w, scratch);
  // 3x3 AveragePools; for the old garment MaxPool 5x5 (it grows by two pixels) then AveragePool 5x5.
  const occ = boxMeanPlane(planes[0], h, w, 1, s255, 'occ', scratch).data;
  const arm = boxMeanPlane(planes[1], h, w, 1, s255, 'arm', scratch).data;
  const old = boxMeanPlane(max5Plane(planes[2], h, w, 'grown', scratch), h, w, 2, s255, 'old', scratch);
  const smooth2 = (g: Grid): Grid => smooth3(smooth3(g, scratch), scratch);
  const shade = ratioGrid(smooth2(toMeans(poolOld(old, photo, h, w, pool, scratch), h, w, pool, [1, 1])), (den) => den);
  return { occ, arm, old: old.data, oldLo: old.lo, oldHi: old.hi, shade: new RowUpsampler(shade, h, w) };
}
