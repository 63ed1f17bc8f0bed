/**
 * Filling the holes of a worn garment (what hair, arms and hands hid) from the garment around
 * them, so the new person wears a whole garment: a membrane (src/bare/membrane.ts) carries the
 * garment's colour and shading in from the holes' edges, and the garment's own fine texture is
 * laid over it by example (src/bare/grain.ts: patches of its relative detail), so the filled
 * cloth has the weave of the rest rather than a smooth smear.
 */
import { solveMembrane } from '../../bare/membrane.ts';
import { erode4 } from '../../image/pixels.ts';
import { histogramMedian } from '../../bare/old-garment.ts';
import { grainSource, layGrain, relativeDetail } from '../../bare/grain.ts';

export interface FillInput {
  width: number;
  height: number;
  /** RGB bytes over the crop. */
  rgb: Uint8Array;
  /** 0/1: garment seen. */
  seen: Uint8Array;
  /** 0/1: garment to fill. */
  holes: Uint8Array;
  /** Patch side for the texture, pixels. */
  grainSize: number;
  seed: number;
}

/** Grows a 0/1 mask by r pixels (8-neighbourhood), within `within` when given. */
export function dilate(mask: Uint8Array, w: number, h: number, r: number, within?: Uint8Array): Uint8Array {
  let cur = mask;
  for (let s = 0; s < r; s++) {
    const next = cur.slice();
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = y * w + x;
        if (cur[k] || (within && !within[k])) continue;
        let hit = false;
        for (let dy = -1; dy <= 1 && !hit; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1 && !hit; dx++) {
            const xx = x + dx;
            if (xx >= 0 && xx < w && cur[yy * w + xx]) hit = true;
          }
        }
        if (hit) next[k] = 1;
      }
    }
    cur = next;
  }
  return cur;
}

/** Median colour of the masked pixels (every 3rd). */
function medianRgb(rgb: Uint8Array, mask: Uint8Array): number[] {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let k = 0; k < mask.length; k += 3) {
    if (!mask[k]) continue;
    for (let c = 0; c < 3; c++) hist[c][rgb[k * 3 + c]]++;
    n++;
  }
  return histogramMedian(hist, n);
}

/**
 * Fills the holes in place (rgb), and the 2-px rim of seen garment around them, which holds
 * the occluder's anti-aliased edge. Returns the pixels filled (0/1).
 */
export function fillHoles(p: FillInput): Uint8Array {
  const { width: w, height: h, rgb, seen, holes } = p;
  const n = w * h;
  let any = false;
  for (let k = 0; k < n && !any; k++) any = holes[k] === 1;
  if (!any) return new Uint8Array(n);
  // The rim: seen garment within 2 px of a hole.
  const region = dilate(holes, w, h, 2, seen);
  const fixed = new Uint8Array(n);
  const ring = dilate(region, w, h, 1);
  const values = new Float32Array(n * 3);
  for (let k = 0; k < n; k++) {
    if (!ring[k] || region[k] || !seen[k]) continue;
    fixed[k] = 1;
    for (let c = 0; c < 3; c++) values[k * 3 + c] = rgb[k * 3 + c];
  }
  const field = solveMembrane({ width: w, height: h, region, fixed, values, channels: 3 });
  const fallback = medianRgb(rgb, seen);
  const lum = new Float32Array(n);
  for (let k = 0; k < n; k++) lum[k] = 0.299 * rgb[k * 3] + 0.587 * rgb[k * 3 + 1] + 0.114 * rgb[k * 3 + 2];
  const source = grainSource(relativeDetail(lum, w, h), erode4(seenWithout(seen, region), w, h, 2), w, h, p.grainSize, p.seed);
  const grain = source ? layGrain(source, w, h, region, p.seed + 1) : null;
  for (let k = 0; k < n; k++) {
    if (!region[k]) continue;
    const reached = field[k * 3] !== 0 || field[k * 3 + 1] !== 0 || field[k * 3 + 2] !== 0;
    const g = grain ? 1 + grain[k] : 1;
    for (let c = 0; c < 3; c++) rgb[k * 3 + c] = Math.max(0, Math.min(255, Math.round((reached ? field[k * 3 + c] : fallback[c]) * g)));
  }
  return region;
}

function seenWithout(seen: Uint8Array, region: Uint8Array): Uint8Array {
  const out = new Uint8Array(seen.length);
  for (let k = 0; k < out.length; k++) out[k] = seen[k] && !region[k] ? 1 : 0;
  return out;
}

