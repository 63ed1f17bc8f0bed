/**
 * The light the new garment takes from the old one: the old garment's luminance in the photo
 * shades the new garment's folds (the composite's low-pass ratio), but a print on the old
 * garment (letters, a logo, stripes) is not a fold, and read as one it shows through the new
 * garment as dark blotches. Here the old garment's pixels are relit from its base cloth alone:
 * the pixels near its dominant colour, spread over the print by normalised convolution
 * (blur(lum x base) / blur(base)), so folds and body shading stay and the print goes.
 *
 *   const light = foldLight(person, bare, body.shoulderWidth); // once per person and category
 *   const photo = foldCrop(person, bare, light, crop);          // per pair: what the composite reads
 */
import type { BareBody } from '../bare/index.ts';
import { boxBlur } from '../bare/grain.ts';
import type { Box, PersonAnalysis, RGB } from '../types.ts';
import { histogramMedian } from '../bare/old-garment.ts';

/** How far (RGB distance) from the old garment's dominant colour a pixel is still its base cloth. */
const BASE_DIST = 40;
/** The spread's radius in shoulder widths: wider than a print's strokes, narrower than a fold. */
const SPREAD = 0.06;

/** The per-channel median of the old garment's pixels (over the bare box). */
function dominant(person: PersonAnalysis, bare: BareBody): RGB | null {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const { box, old } = bare;
  const ch = person.image.channels;
  let count = 0;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      if (!old[y * box.width + x]) continue;
      const o = ((box.y + y) * person.width + box.x + x) * ch;
      for (let c = 0; c < 3; c++) hist[c][person.image.data[o + (ch >= 3 ? c : 0)]]++;
      count++;
    }
  }
  return count === 0 ? null : histogramMedian(hist, count);
}

/** The old garment's light, print taken out: luminance over the bare body's box (where `bare.old` is set). */
export interface FoldLight {
  box: Box;
  lum: Uint8Array;
}

/** The old garment's print-free luminance over the bare body's box. */
export function foldLight(person: PersonAnalysis, bare: BareBody, shoulderWidth: number): FoldLight {
  const { box, old } = bare;
  const { width: w, height: h } = box;
  const lum = new Uint8Array(w * h);
  const base = dominant(person, bare);
  const img = person.image.data;
  const ch = person.image.channels;
  const g = ch >= 3 ? 1 : 0;
  const b = ch >= 3 ? 2 : 0;
  const lumBase = new Float32Array(w * h);
  const isBase = new Float32Array(w * h);
  // (Within BASE_DIST of the base: the squared distance of whole numbers, exactly what Math.hypot <= BASE_DIST decides.)
  const near = BASE_DIST * BASE_DIST;
  for (let y = 0, k = 0; y < h; y++) {
    for (let x = 0, o = ((box.y + y) * person.width + box.x) * ch; x < w; x++, k++, o += ch) {
      if (!old[k]) continue;
      const R = img[o];
      const G = img[o + g];
      const B = img[o + b];
      lum[k] = Math.round(0.299 * R + 0.587 * G + 0.114 * B);
      if (base && (R - base[0]) ** 2 + (G - base[1]) ** 2 + (B - base[2]) ** 2 <= near) {
        isBase[k] = 1;
        lumBase[k] = lum[k];
      }
    }
  }
  if (!base) return { box, lum };
  const r = Math.max(2, Math.round(SPREAD * shoulderWidth));
  const num = boxBlur(boxBlur(lumBase, w, h, r), w, h, r);
  const den = boxBlur(boxBlur(isBase, w, h, r), w, h, r);
  const baseLum = 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2];
  for (let k = 0; k < w * h; k++) {
    // Base cloth keeps its own luminance; elsewhere the spread, or the base's when none reaches.
    if (!old[k] || isBase[k]) continue;
    lum[k] = Math.round(Math.min(Math.max(den[k] > 0.02 ? num[k] / den[k] : baseLum, 0), 255));
  }
  return { box, lum };
}

/**
 * The crop of the photo the composite reads light from: the photo, with the old garment's
 * pixels grey at their print-free luminance. RGB bytes over `crop`.
 */
export function foldCrop(person: PersonAnalysis, bare: BareBody, light: FoldLight, crop: Box): Uint8Array {
  const out = new Uint8Array(crop.width * crop.height * 3);
  const ch = person.image.channels;
  const img = person.image.data;
  // The photo's rows first (copied whole when it is RGB), then the old garment's grey over them.
  if (ch === 3) {
    for (let y = 0; y < crop.height; y++) {
      const from = ((crop.y + y) * person.width + crop.x) * 3;
      out.set(img.subarray(from, from + crop.width * 3), y * crop.width * 3);
    }
  } else {
    for (let y = 0; y < crop.height; y++) {
      for (let x = 0; x < crop.width; x++) {
        const o = (y * crop.width + x) * 3;
        const s = ((crop.y + y) * person.width + crop.x + x) * ch;
        for (let c = 0; c < 3; c++) out[o + c] = img[s + (ch >= 3 ? c : 0)];
      }
    }
  }
  const lb = light.box;
  const x0 = Math.max(crop.x, lb.x);
  const x1 = Math.min(crop.x + crop.width, lb.x + lb.width);
  const y0 = Math.max(crop.y, lb.y);
  const y1 = Math.min(crop.y + crop.height, lb.y + lb.height);
  const { old } = bare;
  const { lum } = light;
  for (let py = y0; py < y1; py++) {
    let k = (py - lb.y) * lb.width + (x0 - lb.x);
    let o = ((py - crop.y) * crop.width + (x0 - crop.x)) * 3;
    for (let px = x0; px < x1; px++, k++, o += 3) {
      if (!old[k]) continue;
      const v = lum[k];
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  }
  return out;
}
