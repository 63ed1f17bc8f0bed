/**
 * The backdrop behind removed cloth (a loose sleeve, a flared skirt, the gap between arm and
 * body a shirt filled): a membrane of the surrounding backdrop's colours across the hole, so a
 * studio backdrop's light fall-off continues through it without a seam, with the backdrop's
 * own grain laid over it by example. On a busy background this gives a smooth blend of its
 * colours: plausible, not a reconstruction.
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
  const field = solveMembrane({ width: w, height: h, region: hole, fixed, values, channels: 3 });
  const source = grainSource(p.detail, ring(backdrop, hole, w, h), w, h, p.grainSize, p.seed);
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
