/**
 * Image metrics for the render tests and the contact sheet: SSIM on luminance over a region,
 * the mean colour of a region, and CIEDE2000 colour difference.
 */
import type { Mask, RawImage, RGB } from '../../src/types.ts';
import { dilateBy } from '../../scripts/quality/raster.ts';

function luminance(img: RawImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const c = img.channels;
  for (let i = 0; i < n; i++) out[i] = 0.299 * img.data[i * c] + 0.587 * img.data[i * c + 1] + 0.114 * img.data[i * c + 2];
  return out;
}

/** A rectangle of pixels. */
interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Mean SSIM (Wang et al. 2004, 8x8 windows, stride 4, on luminance) over the windows that
 * lie entirely where `exclude` is 0. Returns 1 for identical images, NaN when no window counts.
 * `differ`, when given, is a box outside which the caller knows the images are equal: windows
 * that miss it score 1 without being computed.
 */
export function ssim(a: RawImage, b: RawImage, exclude?: Uint8Array, differ?: Rect): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('ssim: sizes differ');
  const { width, height } = a;
  const la = luminance(a);
  const lb = luminance(b);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const win = 8;
  let sum = 0;
  let count = 0;
  for (let y = 0; y + win <= height; y += 4) {
    for (let x = 0; x + win <= width; x += 4) {
      let skip = false;
      let ma = 0;
      let mb = 0;
      for (let j = 0; j < win && !skip; j++) {
        for (let i = 0; i < win; i++) {
          const k = (y + j) * width + x + i;
          if (exclude && exclude[k]) {
            skip = true;
            break;
          }
          ma += la[k];
          mb += lb[k];
        }
      }
      if (skip) continue;
      if (differ && (x + win <= differ.x || x >= differ.x + differ.width || y + win <= differ.y || y >= differ.y + differ.height)) {
        sum += 1;
        count++;
        continue;
      }
      const n = win * win;
      ma /= n;
      mb /= n;
      let va = 0;
      let vb = 0;
      let cov = 0;
      for (let j = 0; j < win; j++) {
        for (let i = 0; i < win; i++) {
          const k = (y + j) * width + x + i;
          va += (la[k] - ma) ** 2;
          vb += (lb[k] - mb) ** 2;
          cov += (la[k] - ma) * (lb[k] - mb);
        }
      }
      va /= n - 1;
      vb /= n - 1;
      cov /= n - 1;
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return count ? sum / count : Number.NaN;
}

/** Mean sRGB colour of `img` where `mask` >= threshold; null when no pixel qualifies. */
export function meanColour(img: RawImage, mask: Mask, threshold = 230): RGB | null {
  const s = [0, 0, 0];
  let n = 0;
  const c = img.channels;
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i] < threshold) continue;
    for (let k = 0; k < 3; k++) s[k] += img.data[i * c + k];
    n++;
  }
  return n ? [s[0] / n, s[1] / n, s[2] / n] : null;
}

function toLab([r, g, b]: RGB): [number, number, number] {
  const lin = (v: number): number => {
    const u = v / 255;
    return u <= 0.04045 ? u / 12.92 : ((u + 0.055) / 1.055) ** 2.4;
  };
  const R = lin(r);
  const G = lin(g);
  const B = lin(b);
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

/** CIEDE2000 difference between two sRGB colours (Sharma, Wu, Dalal 2005). */
export function deltaE2000(c1: RGB, c2: RGB): number {
  const [L1, a1, b1] = toLab(c1);
  const [L2, a2, b2] = toLab(c2);
  const rad = Math.PI / 180;
  const C1 = Math.hypot(a1, b1);
  const C2 = Math.hypot(a2, b2);
  const Cm = (C1 + C2) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cm ** 7 / (Cm ** 7 + 25 ** 7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1);
  const C2p = Math.hypot(a2p, b2);
  const h = (b: number, a: number): number => {
    if (a === 0 && b === 0) return 0;
    const d = Math.atan2(b, a) / rad;
    return d >= 0 ? d : d + 360;
  };
  const h1p = h(b1, a1p);
  const h2p = h(b2, a2p);
  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * rad);
  const Lpm = (L1 + L2) / 2;
  const Cpm = (C1p + C2p) / 2;
  let hpm = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) > 180) hpm = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
    else hpm = (h1p + h2p) / 2;
  }
  const T = 1 - 0.17 * Math.cos((hpm - 30) * rad) + 0.24 * Math.cos(2 * hpm * rad) + 0.32 * Math.cos((3 * hpm + 6) * rad) - 0.2 * Math.cos((4 * hpm - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hpm - 275) / 25) ** 2));
  const Rc = 2 * Math.sqrt(Cpm ** 7 / (Cpm ** 7 + 25 ** 7));
  const Sl = 1 + (0.015 * (Lpm - 50) ** 2) / Math.sqrt(20 + (Lpm - 50) ** 2);
  const Sc = 1 + 0.045 * Cpm;
  const Sh = 1 + 0.015 * Cpm * T;
  const Rt = -Math.sin(2 * dTheta * rad) * Rc;
  return Math.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh));
}

/**
 * The two numbers the render tests hold a result to. `differ`: see ssim (a box outside which
 * the result equals the photo).
 */
export function renderQuality(photo: RawImage, result: { image: RawImage; layers?: { garmentMask: Mask; warpedGarment: RawImage; exposedSkin: Mask } }, differ?: Rect): { ssimOutside: number; deltaE: number | null } {
  if (!result.layers) throw new Error('renderQuality needs a try-on result with its layers');
  const layers = result.layers;
  const { width, height } = photo;
  const changed = new Uint8Array(width * height);
  for (let i = 0; i < changed.length; i++) changed[i] = layers.garmentMask.data[i] > 0 || layers.exposedSkin.data[i] > 0 ? 1 : 0;
  const exclude = dilateBy(changed, width, height, 2);
  const ssimOutside = ssim(photo, result.image, exclude, differ);
  // Inside: the garment where it is fully opaque; the warped layer is premultiplied on black,
  // so at alpha 255 it is the garment's colour before shading.
  const inner = layers.garmentMask;
  const got = meanColour(result.image, inner, 250);
  const want = meanColour(layers.warpedGarment, inner, 250);
  return { ssimOutside, deltaE: got && want ? deltaE2000(got, want) : null };
}
