/**
 * Whole-image helpers for the quality metrics: box means, CIE Lab, masks (the distance transform
 * is the library's, src/image/distance.ts). Plain
 * typed arrays over one full-size image; clarity over speed, but linear time throughout so a
 * 768x1024 pair measures in well under 100 ms.
 */

export { distanceTo } from '../../src/image/distance.ts';

/** Summed-area table of one plane, (width+1) x (height+1). */
export function integral(plane: ArrayLike<number>, width: number, height: number): Float64Array {
  const s = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += plane[y * width + x];
      s[(y + 1) * (width + 1) + x + 1] = s[y * (width + 1) + x + 1] + row;
    }
  }
  return s;
}

/** Sum of the plane over the window [x0, x1] x [y0, y1] (inclusive, clamped) from its table. */
export function windowSum(s: Float64Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): number {
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(width - 1, x1);
  y1 = Math.min(height - 1, y1);
  if (x1 < x0 || y1 < y0) return 0;
  const w1 = width + 1;
  return s[(y1 + 1) * w1 + x1 + 1] - s[y0 * w1 + x1 + 1] - s[(y1 + 1) * w1 + x0] + s[y0 * w1 + x0];
}

/** Running-sum mean along lines (rows when step is 1, columns when step is width), partial windows at the ends. */
function lineMean(src: ArrayLike<number>, out: Float32Array, len: number, lines: number, step: number, lineStep: number, r: number): void {
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    let sum = 0;
    for (let k = 0; k < Math.min(r, len); k++) sum += src[base + k * step];
    for (let k = 0; k < len; k++) {
      if (k + r < len) sum += src[base + (k + r) * step];
      if (k - r - 1 >= 0) sum -= src[base + (k - r - 1) * step];
      const size = Math.min(len - 1, k + r) - Math.max(0, k - r) + 1;
      out[base + k * step] = sum / size;
    }
  }
}

/** Mean of a plane over the (2r+1)^2 window around each pixel (partial windows at the edges). */
export function boxMean(plane: ArrayLike<number>, width: number, height: number, r: number): Float32Array {
  const rows = new Float32Array(width * height);
  lineMean(plane, rows, width, height, 1, width, r);
  const out = new Float32Array(width * height);
  lineMean(rows, out, height, width, width, 1, r);
  return out;
}

const LINEAR = Float32Array.from({ length: 256 }, (_, v) => {
  const u = v / 255;
  return u <= 0.04045 ? u / 12.92 : ((u + 0.055) / 1.055) ** 2.4;
});

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/** An interleaved image as three CIE Lab (D65) planes. */
export interface LabPlanes {
  L: Float32Array;
  a: Float32Array;
  b: Float32Array;
}

/** Writes the Lab of the sRGB bytes (r, g, b) at index i of `out`. */
function labInto(r: number, g: number, b: number, out: LabPlanes, i: number): void {
  const R = LINEAR[r];
  const G = LINEAR[g];
  const B = LINEAR[b];
  const fx = labF((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047);
  const fy = labF(0.2126 * R + 0.7152 * G + 0.0722 * B);
  const fz = labF((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
  out.L[i] = 116 * fy - 16;
  out.a[i] = 500 * (fx - fy);
  out.b[i] = 200 * (fy - fz);
}

/** Lab planes of interleaved RGB(A) bytes. */
export function toLabPlanes(data: Uint8Array, channels: number, width: number, height: number): LabPlanes {
  const n = width * height;
  const out = { L: new Float32Array(n), a: new Float32Array(n), b: new Float32Array(n) };
  for (let i = 0, o = 0; i < n; i++, o += channels) labInto(data[o], data[o + 1], data[o + 2], out, i);
  return out;
}

/**
 * The Lab planes of `data`, given those of `base` (an image of the same size it mostly equals):
 * only the pixels whose bytes differ are converted. A try-on changes a fifth of the photo.
 */
export function toLabPlanesFrom(base: LabPlanes, baseData: Uint8Array, baseChannels: number, data: Uint8Array, channels: number): LabPlanes {
  const out = { L: base.L.slice(), a: base.a.slice(), b: base.b.slice() };
  for (let i = 0, o = 0, p = 0; i < out.L.length; i++, o += channels, p += baseChannels) {
    if (data[o] !== baseData[p] || data[o + 1] !== baseData[p + 1] || data[o + 2] !== baseData[p + 2]) labInto(data[o], data[o + 1], data[o + 2], out, i);
  }
  return out;
}

/** Lab planes box-averaged over (2r+1)^2 windows. */
export function boxLab(p: LabPlanes, width: number, height: number, r: number): LabPlanes {
  return { L: boxMean(p.L, width, height, r), a: boxMean(p.a, width, height, r), b: boxMean(p.b, width, height, r) };
}

/** CIE Lab of one sRGB colour (0..255 floats, rounded to bytes). */
export function labOf(rgb: readonly number[]): [number, number, number] {
  const one = { L: new Float32Array(1), a: new Float32Array(1), b: new Float32Array(1) };
  const byte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
  labInto(byte(rgb[0]), byte(rgb[1]), byte(rgb[2]), one, 0);
  return [one.L[0], one.a[0], one.b[0]];
}

/** Per-pixel CIE76 difference of two Lab images. */
export function deltaE76(p: LabPlanes, q: LabPlanes): Float32Array {
  const out = new Float32Array(p.L.length);
  for (let i = 0; i < out.length; i++) {
    const dL = p.L[i] - q.L[i];
    const da = p.a[i] - q.a[i];
    const db = p.b[i] - q.b[i];
    out[i] = Math.sqrt(dL * dL + da * da + db * db);
  }
  return out;
}

/** Running count of set pixels along lines; keeps a pixel when any (grow) or all (shrink) of its window is set. */
function lineFilter(src: Uint8Array, out: Uint8Array, len: number, lines: number, step: number, lineStep: number, r: number, grow: boolean): void {
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    let set = 0;
    for (let k = 0; k < Math.min(r, len); k++) set += src[base + k * step];
    for (let k = 0; k < len; k++) {
      if (k + r < len) set += src[base + (k + r) * step];
      if (k - r - 1 >= 0) set -= src[base + (k - r - 1) * step];
      const size = Math.min(len - 1, k + r) - Math.max(0, k - r) + 1;
      out[base + k * step] = grow ? (set > 0 ? 1 : 0) : set === size ? 1 : 0;
    }
  }
}

/** Separable square max (grow) or min (shrink) of a 0/1 mask over (2r+1)^2 windows. */
function squareFilter(mask: Uint8Array, width: number, height: number, r: number, grow: boolean): Uint8Array {
  const rows = new Uint8Array(mask.length);
  lineFilter(mask, rows, width, height, 1, width, r, grow);
  const out = new Uint8Array(mask.length);
  lineFilter(rows, out, height, width, width, 1, r, grow);
  return out;
}

/** Shrinks a 0/1 mask by r pixels (square window). */
export function erodeBy(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  return squareFilter(mask, width, height, r, false);
}

/** Grows a 0/1 mask by r pixels (square window). */
export function dilateBy(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  return squareFilter(mask, width, height, r, true);
}

/** Keeps the pixels of a 0/1 mask with at least `min` of their 8 neighbours set (drops specks and 1-px lines). */
export function denoise(mask: Uint8Array, width: number, height: number, min = 4): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const n = mask[i - width - 1] + mask[i - width] + mask[i - width + 1] + mask[i - 1] + mask[i + 1] + mask[i + width - 1] + mask[i + width] + mask[i + width + 1];
      out[i] = n >= min ? 1 : 0;
    }
  }
  return out;
}

export function count(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return n;
}

/** A rectangle of pixels in a full-size plane. */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The window's pixels of a full-size plane (row stride `fullWidth`), as a plane of its own. */
export function cropPlane<T extends Uint8Array | Float32Array>(plane: T, fullWidth: number, win: Window): T {
  const out = new (plane.constructor as { new (n: number): T })(win.width * win.height);
  for (let y = 0; y < win.height; y++) {
    const from = (win.y + y) * fullWidth + win.x;
    out.set(plane.subarray(from, from + win.width) as never, y * win.width);
  }
  return out;
}

/** Writes a window's plane back into a full-size plane. */
export function pastePlane<T extends Uint8Array | Float32Array>(dst: T, fullWidth: number, src: T, win: Window): void {
  for (let y = 0; y < win.height; y++) dst.set(src.subarray(y * win.width, (y + 1) * win.width) as never, (win.y + y) * fullWidth + win.x);
}

/** The Lab planes of a window. */
export function cropLab(p: LabPlanes, fullWidth: number, win: Window): LabPlanes {
  return { L: cropPlane(p.L, fullWidth, win), a: cropPlane(p.a, fullWidth, win), b: cropPlane(p.b, fullWidth, win) };
}

/** Bounding box of a 0/1 mask grown by `pad` (clamped); null when empty. */
export function boundsOf(mask: Uint8Array, width: number, height: number, pad: number): Window | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (!mask[i]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : grow({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, pad, width, height);
}

/** A window grown by `pad` on every side, clamped to the frame. */
export function grow(win: Window, pad: number, width: number, height: number): Window {
  const x0 = Math.max(0, win.x - pad);
  const y0 = Math.max(0, win.y - pad);
  const x1 = Math.min(width - 1, win.x + win.width - 1 + pad);
  const y1 = Math.min(height - 1, win.y + win.height - 1 + pad);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
