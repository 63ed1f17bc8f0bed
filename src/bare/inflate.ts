/**
 * Surface normals by inflation: a flat outline blown up into a rounded surface, as in
 * sketch-based modelling. With d a pixel's distance to its region's edge and R the region's
 * local half-width, the surface rises as a circle's arc: nz = sqrt(1 - (1 - d/R)^2), tilting
 * towards the nearest edge. One region per body group (an arm, the trunk, a leg), so a whole
 * arm is one smooth surface through its elbow, and an arm in front of the trunk keeps its own
 * darkening outline over it.
 */
import { distanceTo } from '../image/distance.ts';
import { GROUP, SHOULDER_BIT, type BodyRaster } from './shape.ts';
import { boxBlur } from './grain.ts';

export interface Normals {
  nx: Float32Array;
  ny: Float32Array;
  nz: Float32Array;
}

/** Gives pixels of `region` that no group covers the group of the nearest covered pixel (breadth-first). */
export function adopt(raster: BodyRaster, region: Uint8Array): void {
  const { width: w, height: h } = raster.box;
  let frontier: number[] = [];
  const todo = new Uint8Array(region.length);
  let left = 0;
  for (let k = 0; k < region.length; k++) {
    if (raster.front[k]) frontier.push(k);
    else if (region[k]) (todo[k] = 1), left++;
  }
  while (frontier.length && left) {
    const next: number[] = [];
    for (const k of frontier) {
      const x = k % w;
      for (const j of [x > 0 ? k - 1 : -1, x < w - 1 ? k + 1 : -1, k - w, k + w]) {
        if (j < 0 || j >= region.length || !todo[j]) continue;
        todo[j] = 0;
        left--;
        raster.front[j] = raster.front[k];
        raster.member[j] |= 1 << (raster.front[k] - 1);
        next.push(j);
      }
    }
    frontier = next;
  }
  void h;
}

/** Bounding box (inclusive) of the pixels with a bit set, or null. */
function bitBounds(member: Uint8Array, w: number, bit: number): [number, number, number, number] | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let k = 0; k < member.length; k++) {
    if (!(member[k] & bit)) continue;
    const x = k % w;
    const y = (k / w) | 0;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    y1 = y;
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** Cell side of the coarse grid the local half-width is taken on. */
const CELL = 8;

/**
 * Local half-width: the largest distance-to-edge within `reach` pixels, taken on 8-px cells
 * (max-pooled, max-filtered, then bilinear back to pixels), so it is smooth along a limb.
 */
function localHalfWidth(d: Float32Array, w: number, h: number, reach: number): Float32Array {
  const cw = Math.ceil(w / CELL);
  const ch = Math.ceil(h / CELL);
  const pooled = new Float32Array(cw * ch);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const c = ((y / CELL) | 0) * cw + ((x / CELL) | 0);
    if (d[y * w + x] > pooled[c]) pooled[c] = d[y * w + x];
  }
  const r = Math.max(1, Math.round(reach / CELL));
  const rows = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) {
    let m = 0;
    for (let k = Math.max(0, x - r); k <= Math.min(cw - 1, x + r); k++) m = Math.max(m, pooled[y * cw + k]);
    rows[y * cw + x] = m;
  }
  const peaks = new Float32Array(cw * ch);
  for (let x = 0; x < cw; x++) for (let y = 0; y < ch; y++) {
    let m = 0;
    for (let k = Math.max(0, y - r); k <= Math.min(ch - 1, y + r); k++) m = Math.max(m, rows[k * cw + x]);
    peaks[y * cw + x] = m;
  }
  // A max filter leaves plateaus with steps between them, which would show as bands: smoothed.
  const grid = boxBlur(peaks, cw, ch, Math.max(1, r >> 1));
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) / CELL - 0.5, 0), ch - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) / CELL - 0.5, 0), cw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = fx - x0;
      out[y * w + x] = (grid[y0 * cw + x0] * (1 - tx) + grid[y0 * cw + x1] * tx) * (1 - ty) + (grid[y1 * cw + x0] * (1 - tx) + grid[y1 * cw + x1] * tx) * ty;
    }
  }
  return out;
}

/**
 * Normals of every group's surface where that group is the front-most, over the raster's crop.
 * A group's region is its cover cut by the photo's silhouette (what the camera sees of it).
 * `reach`: how far to look for a region's half-width (a fifth of a shoulder width suits limbs
 * and gives the trunk a flat front with rounded sides).
 */
export function inflate(raster: BodyRaster, silhouette: Uint8Array, reach: number): Normals {
  const { width: w } = raster.box;
  const n = raster.front.length;
  const out: Normals = { nx: new Float32Array(n), ny: new Float32Array(n), nz: new Float32Array(n) };
  for (let g: number = GROUP.leftArm; g <= GROUP.trunk; g++) {
    // An arm's surface runs on into its shoulder cap: its top is no edge. The trunk's runs on
    // under the arms: where an arm covers it, or grows out of it, is no edge of the trunk.
    const bit = g === GROUP.trunk ? 0xff : (1 << (g - 1)) | (g === GROUP.leftArm ? SHOULDER_BIT.left : SHOULDER_BIT.right);
    const b = bitBounds(raster.member, w, bit);
    if (!b) continue;
    // The group's box with a 1-px rim outside it (the rim is outside the region).
    const bx = b[0] - 1;
    const by = b[1] - 1;
    const bw = b[2] - b[0] + 3;
    const bh = b[3] - b[1] + 3;
    const outside = new Uint8Array(bw * bh).fill(1);
    for (let y = 1; y < bh - 1; y++) {
      for (let x = 1; x < bw - 1; x++) {
        const k = (by + y) * w + bx + x;
        if (raster.member[k] & bit && silhouette[k]) outside[y * bw + x] = 0;
      }
    }
    // Smoothed: the exact distance's gradient turns in steps along the medial axis and shows as rays.
    // (Over 2 % of a shoulder width: a jagged silhouette's steps would turn it row by row.)
    const smooth = Math.max(2, Math.round(0.1 * reach));
    const d = boxBlur(boxBlur(distanceTo(outside, bw, bh), bw, bh, smooth), bw, bh, smooth);
    const half = localHalfWidth(d, bw, bh, reach);
    for (let y = 1; y < bh - 1; y++) {
      for (let x = 1; x < bw - 1; x++) {
        const j = y * bw + x;
        const k = (by + y) * w + bx + x;
        if (raster.front[k] !== g || outside[j]) continue;
        const q = Math.min(d[j] / Math.max(half[j], 1), 1);
        const nzEdge = Math.sqrt(Math.max(0, 1 - (1 - q) * (1 - q)));
        // Towards the nearest edge: down the distance's gradient. The smoothed gradient (central
        // difference over 2 px, so up to 2 long) shrinks where edges on both sides meet, the
        // medial axis: the tilt fades there instead of flipping, which would show as a crease.
        const gx = (d[j - 1] - d[j + 1]) / 2;
        const gy = (d[j - bw] - d[j + bw]) / 2;
        const gl = Math.min(1, Math.hypot(gx, gy));
        const lat = Math.sqrt(Math.max(0, 1 - nzEdge * nzEdge)) * gl;
        const norm = gl > 1e-6 ? lat / Math.hypot(gx, gy) : 0;
        out.nx[k] = gx * norm;
        out.ny[k] = gy * norm;
        out.nz[k] = Math.sqrt(Math.max(0, 1 - lat * lat));
      }
    }
  }
  return out;
}
