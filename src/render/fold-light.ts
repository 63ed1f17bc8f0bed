/**
 * The light the new garment takes from the old one: the old garment's luminance in the photo
 * shades the new garment's folds (the composite's low-pass ratio), but a print on the old
 * garment (letters, a logo, stripes) is not a fold, and read as one it shows through the new
 * garment as dark blotches. Here the old garment's pixels are relit from its base cloth alone:
 * the pixels near its dominant colour, spread over the print by normalised convolution
 * (blur(lum x base) / blur(base)), so folds and body shading stay and the print goes.
 *
 *   const photo = foldPhoto(person, bare, body.shoulderWidth); // the photo the composite reads for light
 */
import type { BareBody } from '../bare/index.ts';
import { boxBlur } from '../bare/grain.ts';
import type { PersonAnalysis, RawImage } from '../types.ts';

/** How far (RGB distance) from the old garment's dominant colour a pixel is still its base cloth. */
const BASE_DIST = 40;
/** The spread's radius in shoulder widths: wider than a print's strokes, narrower than a fold. */
const SPREAD = 0.06;

/** The per-channel median of the old garment's pixels (over the bare box). */
function dominant(person: PersonAnalysis, bare: BareBody): [number, number, number] | null {
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
  if (count === 0) return null;
  const median = (h: Uint32Array): number => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += h[v]) * 2 >= count) return v;
    return 255;
  };
  return [median(hist[0]), median(hist[1]), median(hist[2])];
}

/**
 * The person photo with the old garment's pixels replaced by grey at its base cloth's
 * luminance (RGB, full size); the photo itself, copied, elsewhere.
 */
export function foldPhoto(person: PersonAnalysis, bare: BareBody, shoulderWidth: number): RawImage {
  const { width: W, height: H } = person;
  const ch = person.image.channels;
  const data = new Uint8Array(W * H * 3);
  for (let i = 0, n = W * H; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = person.image.data[i * ch + (ch >= 3 ? c : 0)];
  const base = dominant(person, bare);
  if (!base) return { data, width: W, height: H, channels: 3 };
  const { box, old } = bare;
  const { width: w, height: h } = box;
  const lumBase = new Float32Array(w * h);
  const isBase = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (!old[k]) continue;
      const o = ((box.y + y) * W + box.x + x) * 3;
      const d = Math.hypot(data[o] - base[0], data[o + 1] - base[1], data[o + 2] - base[2]);
      if (d > BASE_DIST) continue;
      isBase[k] = 1;
      lumBase[k] = 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
    }
  }
  const r = Math.max(2, Math.round(SPREAD * shoulderWidth));
  const num = boxBlur(boxBlur(lumBase, w, h, r), w, h, r);
  const den = boxBlur(boxBlur(isBase, w, h, r), w, h, r);
  const baseLum = 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (!old[k]) continue;
      // Base cloth keeps its own luminance; elsewhere the spread, or the base's when none reaches.
      const spread = den[k] > 0.02 ? num[k] / den[k] : baseLum;
      const lum = isBase[k] ? lumBase[k] : spread;
      const v = Math.round(Math.min(Math.max(lum, 0), 255));
      const o = ((box.y + y) * W + box.x + x) * 3;
      data[o] = data[o + 1] = data[o + 2] = v;
    }
  }
  return { data, width: W, height: H, channels: 3 };
}
