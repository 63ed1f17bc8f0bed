/**
 * The person mask at full resolution: the landmark network's 256x256 segmentation (which lives
 * in the rotated crop) is pulled back into the photo through the crop's inverse map, then a
 * guided filter (He et al. 2010) snaps its soft edges to the photo's edges. All loops are O(N)
 * over typed arrays; box means use running sums, so the cost does not depend on the radius, and
 * the filter runs on a coarse grid with only the final linear step at full resolution.
 */
import type { Mask, RawImage } from '../types.ts';
import { invertAffine, type Affine } from './geometry.ts';

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
  // Horizontal pass into tmp.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0, last = Math.min(r, width - 1); x <= last; x++) sum += src[row + x];
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum * invX[x];
      if (x + r + 1 < width) sum += src[row + x + r + 1];
      if (x - r >= 0) sum -= src[row + x - r];
    }
  }
  // Vertical pass into out, column sums kept per x so memory is walked row by row.
  const sums = new Float64Array(width);
  for (let y = 0, last = Math.min(r, height - 1); y <= last; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) sums[x] += tmp[row + x];
  }
  for (let y = 0; y < height; y++) {
    const inv = 1 / (Math.min(y + r, height - 1) - Math.max(y - r, 0) + 1);
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = sums[x] * inv;
    if (y + r + 1 < height) {
      const add = (y + r + 1) * width;
      for (let x = 0; x < width; x++) sums[x] += tmp[add + x];
    }
    if (y - r >= 0) {
      const sub = (y - r) * width;
      for (let x = 0; x < width; x++) sums[x] -= tmp[sub + x];
    }
  }
  return out;
}

/** RGB in [0, 1] averaged over `step` x `step` cells: three planes of the coarse guide. */
export function colorGrid(image: RawImage, step: number, gw: number, gh: number): [Float32Array, Float32Array, Float32Array] {
  const { data, width, height, channels } = image;
  const n = gw * gh;
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  const cellOf = new Int32Array(width);
  for (let x = 0; x < width; x++) cellOf[x] = Math.min(gw - 1, Math.floor(x / step));
  for (let y = 0; y < height; y++) {
    const grow = Math.min(gh - 1, Math.floor(y / step)) * gw;
    for (let x = 0, o = y * width * channels; x < width; x++, o += channels) {
      const c = grow + cellOf[x];
      r[c] += data[o];
      g[c] += data[o + 1];
      b[c] += data[o + 2];
    }
  }
  // Cells on the right and bottom edges may hold fewer pixels.
  for (let gy = 0; gy < gh; gy++) {
    const rows = Math.min(height, (gy + 1) * step) - gy * step;
    for (let gx = 0; gx < gw; gx++) {
      const cols = Math.min(width, (gx + 1) * step) - gx * step;
      const i = gy * gw + gx;
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
  const aR = new Float32Array(n);
  const aG = new Float32Array(n);
  const aB = new Float32Array(n);
  const b = new Float32Array(n);
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
  return [mean(aR), mean(aG), mean(aB), mean(b)];
}

/**
 * The fast guided filter's last step at full resolution: the coarse linear coefficients
 * (q = a . I + b) are upsampled bilinearly and applied to the full-resolution colours, so
 * edges come from the photo itself. `gain` steepens the soft edge around 0.5.
 */
export function applyColorCoefficients(image: RawImage, coef: Float32Array[], gw: number, gh: number, step: number, gain: number): Mask {
  const { data: px, width, height, channels } = image;
  const out = new Uint8Array(width * height);
  const gxMax = gw - 1;
  const gyMax = gh - 1;
  const k = gain * 255;
  const bias = (0.5 - 0.5 * gain) * 255;
  // Per column: the coarse cell to the left and the weight, computed once.
  const col0 = new Int32Array(width);
  const colW = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const g = (x + 0.5) / step - 0.5;
    const gc = g < 0 ? 0 : g > gxMax ? gxMax : g;
    col0[x] = gc | 0;
    colW[x] = gc - (gc | 0);
  }
  // Per row: the four coefficient maps interpolated vertically once (interleaved, scaled so
  // the pixel loop works on bytes directly), then only horizontally per pixel.
  const row = new Float32Array(gw * 4);
  const scale = [k / 255, k / 255, k / 255, k];
  for (let y = 0; y < height; y++) {
    const g = (y + 0.5) / step - 0.5;
    const gc = g < 0 ? 0 : g > gyMax ? gyMax : g;
    const r0 = (gc | 0) * gw;
    const r1 = Math.min(gyMax, (gc | 0) + 1) * gw;
    const fy = gc - (gc | 0);
    for (let m = 0; m < 4; m++) {
      const map = coef[m];
      const sc = scale[m];
      for (let gx = 0; gx < gw; gx++) row[gx * 4 + m] = (map[r0 + gx] + (map[r1 + gx] - map[r0 + gx]) * fy) * sc;
    }
    for (let x = 0, i = y * width, o = i * channels; x < width; x++, i++, o += channels) {
      const c0 = col0[x] * 4;
      const c1 = col0[x] < gxMax ? c0 + 4 : c0;
      const fx = colW[x];
      const ar = row[c0] + (row[c1] - row[c0]) * fx;
      const ag = row[c0 + 1] + (row[c1 + 1] - row[c0 + 1]) * fx;
      const ab = row[c0 + 2] + (row[c1 + 2] - row[c0 + 2]) * fx;
      const bb = row[c0 + 3] + (row[c1 + 3] - row[c0 + 3]) * fx;
      const v = ar * px[o] + ag * px[o + 1] + ab * px[o + 2] + bb + bias;
      out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5;
    }
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
  const guide = colorGrid(image, step, gw, gh);
  const coef = colorGuidedCoefficients(guide, p, gw, gh, Math.max(1, Math.round(radius / step)), eps);
  return applyColorCoefficients(image, coef, gw, gh, step, gain);
}
