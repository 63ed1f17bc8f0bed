/**
 * The person mask at full resolution: the landmark network's 256x256 segmentation (which lives
 * in the rotated crop) is pulled back into the photo through the crop's inverse map, then a
 * guided filter (He et al. 2010) snaps its soft edges to the photo's edges. All loops are O(N)
 * over typed arrays; box means use running sums, so the cost does not depend on the radius, and
 * the filter runs on a coarse grid with only the final linear step at full resolution.
 */
import type { Mask, RawImage } from '../types.ts';
import { invertAffine, type Affine } from '../models/crop.ts';

/**
 * Person probability on a grid `step` times coarser than the photo (cell centres), pulled from
 * the crop's segmentation through the inverse map (0 outside the crop).
 */
export function segmentationToGrid(seg: Float32Array, segSize: number, crop: Affine, gw: number, gh: number, step: number, out = new Float32Array(gw * gh)): Float32Array {
  const inv = invertAffine(crop);
  const max = segSize - 1;
  let i = 0;
  for (let gy = 0; gy < gh; gy++) {
    const py = (gy + 0.5) * step;
    const px = 0.5 * step;
    // u, v of the row start, then stepped along the row: no per-pixel matrix product.
    let u = inv.a * px + inv.b * py + inv.c - 0.5;
    let v = inv.d * px + inv.e * py + inv.f - 0.5;
    const du = inv.a * step;
    const dv = inv.d * step;
    for (let gx = 0; gx < gw; gx++, i++, u += du, v += dv) {
      if (u < -0.5 || v < -0.5 || u > max + 0.5 || v > max + 0.5) {
        out[i] = 0;
        continue;
      }
      const uc = u < 0 ? 0 : u > max ? max : u;
      const vc = v < 0 ? 0 : v > max ? max : v;
      const u0 = uc | 0;
      const v0 = vc | 0;
      const u1 = u0 < max ? u0 + 1 : u0;
      const v1 = v0 < max ? v0 + 1 : v0;
      const fu = uc - u0;
      const fv = vc - v0;
      const r0 = v0 * segSize;
      const r1 = v1 * segSize;
      const top = seg[r0 + u0] + (seg[r0 + u1] - seg[r0 + u0]) * fu;
      const bottom = seg[r1 + u0] + (seg[r1 + u1] - seg[r1 + u0]) * fu;
      out[i] = top + (bottom - top) * fv;
    }
  }
  return out;
}

/**
 * Box mean with radius r (window 2r+1, clipped at the borders) via running sums: O(N) whatever
 * the radius. `out` may be `src`. The window count only changes near the borders, so its
 * reciprocal is tabled once per axis and the inner loops only add, subtract and multiply.
 */
export function boxMean(src: Float32Array, width: number, height: number, r: number, out: Float32Array, tmp: Float32Array): Float32Array {
  const invX = new Float32Array(width);
  for (let x = 0; x < width; x++) invX[x] = 1 / (Math.min(x + r, width - 1) - Math.max(x - r, 0) + 1);
  // Horizontal pass into tmp: head (nothing leaves the window yet), middle (one pixel enters
  // and one leaves), tail; per pixel the same additions in the same order as one loop with
  // both tests, so the sums are the same to the last bit.
  const head = Math.min(r, width);
  const middle = Math.max(head, width - r - 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0, last = Math.min(r, width - 1); x <= last; x++) sum += src[row + x];
    let x = 0;
    for (; x < head; x++) {
      tmp[row + x] = sum * invX[x];
      if (x + r + 1 < width) sum += src[row + x + r + 1];
    }
    for (; x < middle; x++) {
      tmp[row + x] = sum * invX[x];
      sum += src[row + x + r + 1];
      sum -= src[row + x - r];
    }
    for (; x < width; x++) {
      tmp[row + x] = sum * invX[x];
      if (x + r + 1 < width) sum += src[row + x + r + 1];
      if (x - r >= 0) sum -= src[row + x - r];
    }
  }
  // Vertical pass into out, column sums kept per x so memory is walked row by row; one sweep
  // per row writes the row and moves the window ((s + a) - b: the same as two steps).
  const sums = new Float64Array(width);
  for (let y = 0, last = Math.min(r, height - 1); y <= last; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) sums[x] += tmp[row + x];
  }
  for (let y = 0; y < height; y++) {
    const inv = 1 / (Math.min(y + r, height - 1) - Math.max(y - r, 0) + 1);
    const row = y * width;
    const adds = y + r + 1 < height;
    const subs = y - r >= 0;
    const add = (y + r + 1) * width;
    const sub = (y - r) * width;
    if (adds && subs) {
      for (let x = 0; x < width; x++) {
        const v = sums[x];
        out[row + x] = v * inv;
        sums[x] = v + tmp[add + x] - tmp[sub + x];
      }
    } else if (adds) {
      for (let x = 0; x < width; x++) {
        const v = sums[x];
        out[row + x] = v * inv;
        sums[x] = v + tmp[add + x];
      }
    } else if (subs) {
      for (let x = 0; x < width; x++) {
        const v = sums[x];
        out[row + x] = v * inv;
        sums[x] = v - tmp[sub + x];
      }
    } else {
      for (let x = 0; x < width; x++) out[row + x] = sums[x] * inv;
    }
  }
  return out;
}

/**
 * RGB in [0, 1] averaged over `step` x `step` cells: three planes of the coarse guide, for the
 * window of ww x wh cells from cell (cx0, cy0) of the gw x gh grid (the whole grid by default).
 */
export function colorGrid(image: RawImage, step: number, gw: number, gh: number, cx0 = 0, cy0 = 0, ww = gw, wh = gh): [Float32Array, Float32Array, Float32Array] {
  const { data, width, height, channels } = image;
  const n = ww * wh;
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  const px0 = cx0 * step;
  const px1 = Math.min(width, (cx0 + ww) * step);
  const py0 = cy0 * step;
  const py1 = Math.min(height, (cy0 + wh) * step);
  const cellOf = new Int32Array(width);
  for (let x = px0; x < px1; x++) cellOf[x] = Math.min(gw - 1, Math.floor(x / step)) - cx0;
  // Sums interleaved (one cache line per cell, not three), then split; integer sums under
  // 2^24 are exact in float32 whatever the order.
  const acc = new Float32Array(n * 3);
  for (let y = py0; y < py1; y++) {
    const grow = (Math.min(gh - 1, Math.floor(y / step)) - cy0) * ww;
    for (let x = px0, o = (y * width + px0) * channels; x < px1; x++, o += channels) {
      const c = (grow + cellOf[x]) * 3;
      acc[c] += data[o];
      acc[c + 1] += data[o + 1];
      acc[c + 2] += data[o + 2];
    }
  }
  for (let i = 0; i < n; i++) {
    r[i] = acc[i * 3];
    g[i] = acc[i * 3 + 1];
    b[i] = acc[i * 3 + 2];
  }
  // Cells on the right and bottom edges may hold fewer pixels.
  for (let wy = 0; wy < wh; wy++) {
    const gy = cy0 + wy;
    const rows = Math.min(height, (gy + 1) * step) - gy * step;
    for (let wx = 0; wx < ww; wx++) {
      const gx = cx0 + wx;
      const cols = Math.min(width, (gx + 1) * step) - gx * step;
      const i = wy * ww + wx;
      const k = 1 / (255 * rows * cols);
      r[i] *= k;
      g[i] *= k;
      b[i] *= k;
    }
  }
  return [r, g, b];
}

/**
 * Colour-guide guided filter coefficients (He et al. 2010, eq. 14): per window
 * a = (Sigma + eps U)^-1 cov(I, p), b = mean(p) - a . mean(I), then both box-averaged.
 * A colour guide separates skin from a grey backdrop of the same brightness, which a luma
 * guide cannot. Returns the averaged [a_r, a_g, a_b, b].
 */
export function colorGuidedCoefficients(I: [Float32Array, Float32Array, Float32Array], p: Float32Array, width: number, height: number, r: number, eps: number): Float32Array[] {
  const n = width * height;
  const tmp = new Float32Array(n);
  const mean = (src: Float32Array): Float32Array => boxMean(src, width, height, r, new Float32Array(n), tmp);
  const product = (x: Float32Array, y: Float32Array): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
    return boxMean(out, width, height, r, out, tmp);
  };
  const [R, G, B] = I;
  const mR = mean(R);
  const mG = mean(G);
  const mB = mean(B);
  const mP = mean(p);
  const rr = product(R, R);
  const rg = product(R, G);
  const rb = product(R, B);
  const gg = product(G, G);
  const gb = product(G, B);
  const bb = product(B, B);
  const rp = product(R, p);
  const gp = product(G, p);
  const bp = product(B, p);
  // The coefficients overwrite four of the products in place (each cell reads its own index
  // before writing it): a large guide grid is ~1 MB per plane, and fewer planes mean fewer
  // garbage collections.
  const aR = rr;
  const aG = rg;
  const aB = rb;
  const b = gg;
  for (let i = 0; i < n; i++) {
    const mr = mR[i];
    const mg = mG[i];
    const mb = mB[i];
    const mp = mP[i];
    // Covariance of the guide (plus eps on the diagonal) and its covariance with p.
    const s11 = rr[i] - mr * mr + eps;
    const s12 = rg[i] - mr * mg;
    const s13 = rb[i] - mr * mb;
    const s22 = gg[i] - mg * mg + eps;
    const s23 = gb[i] - mg * mb;
    const s33 = bb[i] - mb * mb + eps;
    const c1 = rp[i] - mr * mp;
    const c2 = gp[i] - mg * mp;
    const c3 = bp[i] - mb * mp;
    // Symmetric 3x3 inverse by cofactors.
    const i11 = s22 * s33 - s23 * s23;
    const i12 = s13 * s23 - s12 * s33;
    const i13 = s12 * s23 - s13 * s22;
    const i22 = s11 * s33 - s13 * s13;
    const i23 = s13 * s12 - s11 * s23;
    const i33 = s11 * s22 - s12 * s12;
    const det = s11 * i11 + s12 * i12 + s13 * i13;
    const k = 1 / det;
    const ar = (i11 * c1 + i12 * c2 + i13 * c3) * k;
    const ag = (i12 * c1 + i22 * c2 + i23 * c3) * k;
    const ab = (i13 * c1 + i23 * c2 + i33 * c3) * k;
    aR[i] = ar;
    aG[i] = ag;
    aB[i] = ab;
    b[i] = mp - ar * mr - ag * mg - ab * mb;
  }
  const smooth = (src: Float32Array): Float32Array => boxMean(src, width, height, r, src, tmp);
  return [smooth(aR), smooth(aG), smooth(aB), smooth(b)];
}

/**
 * The fast guided filter's last step at full resolution: the coarse linear coefficients
 * (q = a . I + b) are upsampled bilinearly and applied to the full-resolution colours, so
 * edges come from the photo itself. `gain` steepens the soft edge around 0.5.
 *
 * Most of a photo is decided before any pixel is read: a cell whose a . I + b stays <= 0 (or
 * >= 1 after the gain) over the whole RGB cube gives 0 (255) whatever the colour, and so does
 * any bilinear blend of four such cells. Those stretches (background, the body's inside) are
 * filled per cell; only the band along the silhouette takes the per-pixel product. Exact.
 */
export function applyColorCoefficients(image: RawImage, coef: Float32Array[], gw: number, gh: number, step: number, gain: number): Mask {
  const { data: px, width, height, channels } = image;
  const out = new Uint8Array(width * height);
  const gxMax = gw - 1;
  const gyMax = gh - 1;
  const k = gain * 255;
  const bias = (0.5 - 0.5 * gain) * 255;
  const [mapR, mapG, mapB, mapB0] = coef;
  // Per cell: 1 = always 0, 2 = always 255, 0 = depends on the colour.
  const fixed = new Uint8Array(gw * gh);
  for (let i = 0; i < gw * gh; i++) {
    const ar = mapR[i];
    const ag = mapG[i];
    const ab = mapB[i];
    const base = k * mapB0[i] + bias;
    const hi = base + k * ((ar > 0 ? ar : 0) + (ag > 0 ? ag : 0) + (ab > 0 ? ab : 0));
    const lo = base + k * ((ar < 0 ? ar : 0) + (ag < 0 ? ag : 0) + (ab < 0 ? ab : 0));
    fixed[i] = hi <= 0 ? 1 : lo >= 255 ? 2 : 0;
  }
  // Per column: the coarse cell to the left and the weight; per cell, its first column.
  const col0 = new Int32Array(width);
  const colW = new Float32Array(width);
  const first = new Int32Array(gw + 1).fill(width);
  for (let x = width - 1; x >= 0; x--) {
    const g = (x + 0.5) / step - 0.5;
    const gc = g < 0 ? 0 : g > gxMax ? gxMax : g;
    col0[x] = gc | 0;
    colW[x] = gc - (gc | 0);
    first[gc | 0] = x;
  }
  for (let g = gw - 1; g >= 0; g--) if (first[g] > first[g + 1]) first[g] = first[g + 1];
  // Coefficients of the two rows, interpolated vertically, interleaved and scaled to bytes.
  const row = new Float32Array(gw * 4);
  const sr = k / 255;
  for (let y = 0; y < height; y++) {
    const g = (y + 0.5) / step - 0.5;
    const gc = g < 0 ? 0 : g > gyMax ? gyMax : g;
    const r0 = (gc | 0) * gw;
    const r1 = Math.min(gyMax, (gc | 0) + 1) * gw;
    const fy = gc - (gc | 0);
    const line = y * width;
    let ready = -1;
    // Start of a run of always-255 cells not yet filled (one fill per run, not per cell).
    let fillFrom = -1;
    for (let cell = 0; cell < gw; cell++) {
      const xs = first[cell];
      const xe = first[cell + 1];
      if (xs >= xe) continue;
      const next = cell < gxMax ? cell + 1 : cell;
      const f = fixed[r0 + cell];
      if (f !== 0 && f === fixed[r0 + next] && f === fixed[r1 + cell] && f === fixed[r1 + next]) {
        if (f === 2) {
          if (fillFrom < 0) fillFrom = xs;
        } else if (fillFrom >= 0) {
          out.fill(255, line + fillFrom, line + xs);
          fillFrom = -1;
        }
        continue;
      }
      if (fillFrom >= 0) {
        out.fill(255, line + fillFrom, line + xs);
        fillFrom = -1;
      }
      // Vertical blend of this cell and the next, computed once per row.
      for (let c = Math.max(cell, ready + 1); c <= next; c++) {
        const a = r0 + c;
        const b = r1 + c;
        row[c * 4] = (mapR[a] + (mapR[b] - mapR[a]) * fy) * sr;
        row[c * 4 + 1] = (mapG[a] + (mapG[b] - mapG[a]) * fy) * sr;
        row[c * 4 + 2] = (mapB[a] + (mapB[b] - mapB[a]) * fy) * sr;
        row[c * 4 + 3] = (mapB0[a] + (mapB0[b] - mapB0[a]) * fy) * k;
        ready = c;
      }
      const c0 = cell * 4;
      const c1 = next * 4;
      for (let x = xs, i = line + xs, o = i * channels; x < xe; x++, i++, o += channels) {
        const fx = colW[x];
        const ar = row[c0] + (row[c1] - row[c0]) * fx;
        const ag = row[c0 + 1] + (row[c1 + 1] - row[c0 + 1]) * fx;
        const ab = row[c0 + 2] + (row[c1 + 2] - row[c0 + 2]) * fx;
        const bb = row[c0 + 3] + (row[c1 + 3] - row[c0 + 3]) * fx;
        const v = ar * px[o] + ag * px[o + 1] + ab * px[o + 2] + bb + bias;
        out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5;
      }
    }
    if (fillFrom >= 0) out.fill(255, line + fillFrom, line + width);
  }
  return { data: out, width, height };
}

/**
 * Person mask at full resolution from the crop's segmentation: the fast guided filter (He &
 * Sun 2015) with the photo's colours as guide, run on a grid `step` times coarser and applied
 * at full resolution. `radius` is in photo pixels.
 */
export function refinedMask(image: RawImage, seg: Float32Array, segSize: number, crop: Affine, radius: number, eps: number, gain: number): Mask {
  // Coarse cells of about half the radius: the filter keeps 2+ cells of radius on the grid.
  const step = Math.max(1, Math.min(8, Math.round(radius / 2)));
  const gw = Math.ceil(image.width / step);
  const gh = Math.ceil(image.height / step);
  const p = segmentationToGrid(seg, segSize, crop, gw, gh, step);
  const r = Math.max(1, Math.round(radius / step));
  // The filter only changes anything near the person: run it on the grid's window around the
  // cells with any person probability (plus both box passes' reach) and leave a = b = 0, i.e.
  // background, elsewhere. On a full-length catalog shot that is under half the grid.
  let x0 = gw;
  let x1 = -1;
  let y0 = gh;
  let y1 = -1;
  for (let gy = 0, i = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++, i++) {
      if (p[i] < MIN_PROBABILITY) continue;
      if (gx < x0) x0 = gx;
      if (gx > x1) x1 = gx;
      if (gy < y0) y0 = gy;
      y1 = gy;
    }
  }
  const coef = [0, 1, 2, 3].map(() => new Float32Array(gw * gh));
  if (x1 >= 0) {
    const reach = 2 * r + 1;
    x0 = Math.max(0, x0 - reach);
    y0 = Math.max(0, y0 - reach);
    x1 = Math.min(gw - 1, x1 + reach);
    y1 = Math.min(gh - 1, y1 + reach);
    const ww = x1 - x0 + 1;
    const wh = y1 - y0 + 1;
    const window = new Float32Array(ww * wh);
    for (let gy = y0; gy <= y1; gy++) window.set(p.subarray(gy * gw + x0, gy * gw + x1 + 1), (gy - y0) * ww);
    const guide = colorGrid(image, step, gw, gh, x0, y0, ww, wh);
    const local = colorGuidedCoefficients(guide, window, ww, wh, r, eps);
    for (let m = 0; m < 4; m++) {
      for (let gy = y0; gy <= y1; gy++) coef[m].set(local[m].subarray((gy - y0) * ww, (gy - y0 + 1) * ww), gy * gw + x0);
    }
  }
  return applyColorCoefficients(image, coef, gw, gh, step, gain);
}

/** Person probability below which a grid cell is background as it stands (under 1/255 of the mask). */
const MIN_PROBABILITY = 1 / 512;

/**
 * Bounds of the pixels >= `min`, inclusive; null when there are none. Finds the first and last
 * rows with such a pixel, then in the rows between reads each row only from its ends up to
 * the extent found so far: a person covering part of the frame costs a fraction of a full scan.
 */
export function boundsOver(mask: Mask, min: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const { data, width, height } = mask;
  const rowHas = (y: number): boolean => {
    for (let x = 0, i = y * width; x < width; x++, i++) if (data[i] >= min) return true;
    return false;
  };
  let y0 = 0;
  while (y0 < height && !rowHas(y0)) y0++;
  if (y0 === height) return null;
  let y1 = height - 1;
  while (y1 > y0 && !rowHas(y1)) y1--;
  let x0 = width;
  let x1 = -1;
  for (let y = y0; y <= y1; y++) {
    const row = y * width;
    for (let x = 0; x < x0; x++) {
      if (data[row + x] >= min) {
        x0 = x;
        break;
      }
    }
    for (let x = width - 1; x > x1; x--) {
      if (data[row + x] >= min) {
        x1 = x;
        break;
      }
    }
  }
  return { x0, y0, x1, y1 };
}
