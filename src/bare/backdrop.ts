/**
 * The backdrop behind removed cloth (a loose sleeve, a flared skirt, the gap between arm and
 * body a shirt filled): a membrane of the surrounding backdrop's colours across the hole, so a
 * studio backdrop's light fall-off continues through it without a seam, with the backdrop's
 * own grain laid over it by example. A busy background (a street, a patterned wall) would get
 * a smooth smear of its colours that reads as a blurred block beside the arms; there the hole
 * is filled with the backdrop itself, mirrored across the hole's nearest edge (the holes are
 * bands a few to a few tens of pixels wide along the body), so its pattern runs on: plausible,
 * not a reconstruction.
 */
import type { RGB } from '../types.ts';
import { grainSource, layGrain, noiseGrain } from './grain.ts';
import { solveMembrane } from './membrane.ts';

export interface BackdropInputs {
  width: number;
  height: number;
  /** The crop's RGB bytes. */
  rgb: Uint8Array;
  /** The crop's relative luminance detail (grain.ts relativeDetail), the grain's source. */
  detail: Float32Array;
  /** Pixels to fill. */
  hole: Uint8Array;
  /** Pixels that are backdrop in the photo (the fill's boundary values and its grain's source). */
  backdrop: Uint8Array;
  /** Colour for parts of the hole no backdrop pixel touches. */
  fallback: RGB;
  grainSize: number;
  seed: number;
}

/** Fills the hole; returns RGB floats over the crop (only the hole's pixels set). */
export function fillBackdrop(p: BackdropInputs): Float32Array {
  const { width: w, height: h, rgb, hole, backdrop } = p;
  const n = w * h;
  const fixed = new Uint8Array(n);
  const values = new Float32Array(n * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!hole[i]) continue;
      // A hole pixel next to backdrop takes the backdrop's local mean (3x3, backdrop only).
      let m = 0;
      const acc = [0, 0, 0];
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (!backdrop[j] || hole[j]) continue;
          m++;
          for (let c = 0; c < 3; c++) acc[c] += rgb[j * 3 + c];
        }
      }
      if (m < 3) continue;
      fixed[i] = 1;
      for (let c = 0; c < 3; c++) values[i * 3 + c] = acc[c] / m;
    }
  }
  const near = ring(backdrop, hole, w, h);
  if (busy(rgb, near, w, h)) return mirrored(p, fixed, values);
  const field = solveMembrane({ width: w, height: h, region: hole, fixed, values, channels: 3 });
  const source = grainSource(p.detail, near, w, h, p.grainSize, p.seed);
  const grain = source ? layGrain(source, w, h, hole, p.seed + 1) : noiseGrain(w, h, 0.004, p.seed + 1);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (!hole[i]) continue;
    const unset = field[i * 3] === 0 && field[i * 3 + 1] === 0 && field[i * 3 + 2] === 0;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = (unset ? p.fallback[c] : field[i * 3 + c]) * (1 + grain[i]);
  }
  return out;
}

/** Backdrop within a band around the hole: the grain of the backdrop nearby, not of a far wall. */
function ring(backdrop: Uint8Array, hole: Uint8Array, w: number, h: number): Uint8Array {
  const r = 40;
  const near = new Uint8Array(w * h);
  // Row then column reach of the hole.
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let last = -Infinity;
    for (let x = 0; x < w; x++) {
      if (hole[y * w + x]) last = x;
      if (x - last <= r) rows[y * w + x] = 1;
    }
    last = Infinity;
    for (let x = w - 1; x >= 0; x--) {
      if (hole[y * w + x]) last = x;
      if (last - x <= r) rows[y * w + x] = 1;
    }
  }
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h; y++) {
      if (rows[y * w + x]) last = y;
      if (y - last <= r) near[y * w + x] = 1;
    }
    last = Infinity;
    for (let y = h - 1; y >= 0; y--) {
      if (rows[y * w + x]) last = y;
      if (last - y <= r) near[y * w + x] = 1;
    }
  }
  for (let i = 0; i < near.length; i++) near[i] = near[i] && backdrop[i] && !hole[i] ? 1 : 0;
  return near;
}

/** Mean absolute difference (levels) from the 3x3 mean above which a backdrop is patterned, not a studio wall with grain (1-3). */
const BUSY_DETAIL = 8;
/** How far (px) a hole pixel looks for the backdrop edge to mirror across. */
const MIRROR_REACH = 80;
/** How far past the mirror point a source may be taken when the mirror point is not backdrop (the person's soft outline). */
const MIRROR_SLACK = 8;

/** Whether the backdrop near the hole carries a strong pattern: its pixels' mean distance from their 3x3 backdrop mean. */
function busy(rgb: Uint8Array, near: Uint8Array, w: number, h: number): boolean {
  let sum = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y += 2) {
    for (let x = 1; x < w - 1; x += 2) {
      const i = y * w + x;
      if (!near[i]) continue;
      const acc = [0, 0, 0];
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const j = i + dy * w + dx;
          if (!near[j]) continue;
          m++;
          for (let c = 0; c < 3; c++) acc[c] += rgb[j * 3 + c];
        }
      }
      if (m < 5) continue;
      for (let c = 0; c < 3; c++) sum += Math.abs(rgb[i * 3 + c] - acc[c] / m);
      n += 3;
    }
  }
  return n > 300 && sum / n > BUSY_DETAIL;
}

/**
 * The hole filled with the backdrop mirrored across its nearest edge along a row or column
 * (the pixel d inside the edge takes the one d - 1 beyond it, or the next backdrop pixel
 * further out when that one is the person's soft outline); pixels with no backdrop within
 * reach on any side take the membrane's smooth fill.
 */
function mirrored(p: BackdropInputs, fixed: Uint8Array, values: Float32Array): Float32Array {
  const { width: w, height: h, rgb, hole, backdrop } = p;
  const out = new Float32Array(w * h * 3);
  const missing = new Uint8Array(w * h);
  let anyMissing = false;
  const steps: [number, number][] = [[1, 0], [-1, 0], [0, 1], [0, -1]];
  const source = (x: number, y: number, sx: number, sy: number): { at: number; d: number } | null => {
    for (let d = 1; d <= MIRROR_REACH; d++) {
      const ex = x + sx * d;
      const ey = y + sy * d;
      if (ex < 0 || ey < 0 || ex >= w || ey >= h) return null;
      if (hole[ey * w + ex]) continue;
      // The first pixel past the hole; the mirror image of (x, y) lies d - 1 beyond it.
      for (let m = d - 1; m <= d - 1 + MIRROR_SLACK; m++) {
        const mx = ex + sx * m;
        const my = ey + sy * m;
        if (mx < 0 || my < 0 || mx >= w || my >= h) return null;
        const j = my * w + mx;
        if (backdrop[j] && !hole[j]) return { at: j, d };
        if (hole[j]) return null;
      }
      return null;
    }
    return null;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!hole[i]) continue;
      let best: { at: number; d: number } | null = null;
      for (const [sx, sy] of steps) {
        const s = source(x, y, sx, sy);
        if (s && (!best || s.d < best.d)) best = s;
      }
      if (best) for (let c = 0; c < 3; c++) out[i * 3 + c] = rgb[best.at * 3 + c];
      else {
        missing[i] = 1;
        anyMissing = true;
      }
    }
  }
  if (!anyMissing) return out;
  const field = solveMembrane({ width: w, height: h, region: hole, fixed, values, channels: 3 });
  for (let i = 0; i < w * h; i++) {
    if (!missing[i]) continue;
    const unset = field[i * 3] === 0 && field[i * 3 + 1] === 0 && field[i * 3 + 2] === 0;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = unset ? p.fallback[c] : field[i * 3 + c];
  }
  return out;
}
