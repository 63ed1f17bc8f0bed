/**
 * sRGB <-> CIE Lab (D65) for garment work: backdrop distances, the dominant colour and
 * recolouring. Lab because its distances follow what the eye sees (a grey shadow on a white
 * backdrop is "near", a pale-blue shirt is "far") and because L separates shading from hue.
 */
import type { RGB } from '../types.ts';

/** sRGB byte -> linear light, as a table: the conversion runs per pixel. */
const TO_LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

// D65 reference white.
const XN = 0.95047;
const ZN = 1.08883;

function f(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

function finv(t: number): number {
  const t3 = t * t * t;
  return t3 > 0.008856 ? t3 : (t - 16 / 116) / 7.787;
}

function toByte(linear: number): number {
  const c = linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(Math.max(linear, 0), 1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(c * 255)));
}

/** One sRGB colour to Lab. */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = TO_LINEAR[r | 0];
  const G = TO_LINEAR[g | 0];
  const B = TO_LINEAR[b | 0];
  const x = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / XN);
  const y = f(0.2126 * R + 0.7152 * G + 0.0722 * B);
  const z = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / ZN);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/**
 * Recently converted colours, direct-mapped by a hash of the RGB value: a product photo has
 * few distinct colours (about one pixel in ten brings a new one: the backdrop and a plain
 * garment repeat), and a hit is a few loads instead of the conversion. Entries hold exactly
 * what the conversion stores, so results do not depend on the memo. A caller converting many
 * pixels makes one and passes it on (one per conversion: the exact and the tabulated f differ).
 */
export class LabMemo {
  readonly bits: number;
  readonly keys: Int32Array;
  readonly values: Float32Array;

  constructor(bits: number) {
    this.bits = bits;
    this.keys = new Int32Array(1 << bits).fill(-1);
    this.values = new Float32Array(3 << bits);
  }
}

/**
 * rgbToLab of byte channels written into `out` at `o` (L, a, b) as float32: the same
 * arithmetic, no array per pixel, and a repeated colour read back from `memo` instead of recomputed.
 */
export function rgbToLabInto(r: number, g: number, b: number, out: Float32Array, o: number, memo: LabMemo): void {
  const { keys, values } = memo;
  const key = ((r & 255) << 16) | ((g & 255) << 8) | (b & 255);
  const slot = Math.imul(key, 0x9e3779b1) >>> (32 - memo.bits);
  const v = slot * 3;
  if (keys[slot] !== key) {
    const R = TO_LINEAR[r & 255];
    const G = TO_LINEAR[g & 255];
    const B = TO_LINEAR[b & 255];
    const x = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / XN);
    const y = f(0.2126 * R + 0.7152 * G + 0.0722 * B);
    const z = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / ZN);
    keys[slot] = key;
    values[v] = 116 * y - 16;
    values[v + 1] = 500 * (x - y);
    values[v + 2] = 200 * (y - z);
  }
  out[o] = values[v];
  out[o + 1] = values[v + 1];
  out[o + 2] = values[v + 2];
}

/** One Lab colour to sRGB bytes (clipped to the gamut). */
export function labToRgb(L: number, a: number, b: number): RGB {
  const fy = (L + 16) / 116;
  const X = finv(fy + a / 500) * XN;
  const Y = finv(fy);
  const Z = finv(fy - b / 200) * ZN;
  return [
    toByte(3.2406 * X - 1.5372 * Y - 0.4986 * Z),
    toByte(-0.9689 * X + 1.8758 * Y + 0.0415 * Z),
    toByte(0.0557 * X - 0.204 * Y + 1.057 * Z),
  ];
}

/** f() tabulated over [0, 1.25] (X/Xn, Y, Z/Zn of sRGB colours stay inside), for whole images. */
const F_STEPS = 8192;
const F_MAX = 1.25;
const F_TABLE = new Float32Array(F_STEPS + 2);
for (let i = 0; i <= F_STEPS + 1; i++) F_TABLE[i] = f((i * F_MAX) / F_STEPS);
function fFast(t: number): number {
  const u = (t * F_STEPS) / F_MAX;
  const k = u | 0;
  return F_TABLE[k] + (F_TABLE[k + 1] - F_TABLE[k]) * (u - k);
}

/** Interleaved 8-bit pixels (3 or 4 channels) to three Lab planes (f tabulated; repeated colours from a memo of 32768 entries). */
export function imageToLab(data: Uint8Array, count: number, channels: number): { L: Float32Array; A: Float32Array; B: Float32Array } {
  const L = new Float32Array(count);
  const A = new Float32Array(count);
  const B = new Float32Array(count);
  const { keys, values, bits } = new LabMemo(15);
  for (let i = 0, o = 0; i < count; i++, o += channels) {
    const r = data[o];
    const g = data[o + 1];
    const b = data[o + 2];
    const key = (r << 16) | (g << 8) | b;
    const slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
    const v = slot * 3;
    if (keys[slot] !== key) {
      const R = TO_LINEAR[r];
      const G = TO_LINEAR[g];
      const Bl = TO_LINEAR[b];
      const x = fFast((0.4124 * R + 0.3576 * G + 0.1805 * Bl) / XN);
      const y = fFast(0.2126 * R + 0.7152 * G + 0.0722 * Bl);
      const z = fFast((0.0193 * R + 0.1192 * G + 0.9505 * Bl) / ZN);
      keys[slot] = key;
      values[v] = 116 * y - 16;
      values[v + 1] = 500 * (x - y);
      values[v + 2] = 200 * (y - z);
    }
    L[i] = values[v];
    A[i] = values[v + 1];
    B[i] = values[v + 2];
  }
  return { L, A, B };
}

export function deltaE(p: readonly number[], q: readonly number[]): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** Hue angle in degrees, 0..360. */
export function hueOf(a: number, b: number): number {
  const h = (Math.atan2(b, a) * 180) / Math.PI;
  return h < 0 ? h + 360 : h;
}

export function toHex(c: RGB): string {
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The dominant colour of the masked pixels: the fullest cell of a coarse RGB histogram
 * (8 levels a channel), averaged. A mean would give the muddy mix of a print; the mode gives
 * the ground colour a person would name.
 */
export function dominantColor(image: { data: Uint8Array; channels: number }, mask: Uint8Array, count: number): RGB {
  const cells = new Uint32Array(512);
  const sums = new Float64Array(512 * 3);
  const step = count > 200_000 ? 3 : 1;
  for (let i = 0; i < count; i += step) {
    if (mask[i] < 200) continue;
    const o = i * image.channels;
    const r = image.data[o];
    const g = image.data[o + 1];
    const b = image.data[o + 2];
    const cell = ((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5);
    cells[cell]++;
    sums[cell * 3] += r;
    sums[cell * 3 + 1] += g;
    sums[cell * 3 + 2] += b;
  }
  let best = 0;
  for (let c = 1; c < 512; c++) if (cells[c] > cells[best]) best = c;
  const n = cells[best];
  if (n === 0) return [128, 128, 128];
  return [Math.round(sums[best * 3] / n), Math.round(sums[best * 3 + 1] / n), Math.round(sums[best * 3 + 2] / n)];
}

/**
 * Retints the masked pixels so the dominant colour becomes `target`, keeping shading and
 * print contrast: L goes through a monotone curve that takes the dominant L to the target L
 * (so folds keep their order and relative depth), and a/b move by the difference between the
 * dominant and target chroma, with half the print's own colour variation kept.
 * Works in place on an RGB(A) buffer; mask weights blend the edges.
 */
export function recolor(image: { data: Uint8Array; channels: number }, mask: Uint8Array, count: number, dominant: RGB, target: RGB): void {
  const [Ld, ad, bd] = rgbToLab(...dominant);
  const [Lt, at, bt] = rgbToLab(...target);
  const lo = Lt / Math.max(Ld, 1);
  const hi = (100 - Lt) / Math.max(100 - Ld, 1);
  const map = (r: number, g: number, b: number): RGB => {
    const [L, a, bb] = rgbToLab(r, g, b);
    const L2 = L <= Ld ? L * lo : Lt + (L - Ld) * hi;
    // Chroma fades toward black and white so the print's darkest and lightest parts stay neutral.
    const keep = Math.min(1, Math.min(L2, 100 - L2) / 12);
    return labToRgb(L2, at * keep + (a - ad) * 0.5, bt * keep + (bb - bd) * 0.5);
  };
  // The mapping is smooth in RGB: evaluate it on a 17^3 lattice and interpolate trilinearly,
  // 5k Lab round trips instead of one per pixel.
  const N = 17, step = 255 / (N - 1);
  const lut = new Float32Array(N * N * N * 3);
  for (let r = 0; r < N; r++) {
    for (let g = 0; g < N; g++) {
      for (let b = 0; b < N; b++) {
        const c = map(Math.round(r * step), Math.round(g * step), Math.round(b * step));
        const o = ((r * N + g) * N + b) * 3;
        lut[o] = c[0];
        lut[o + 1] = c[1];
        lut[o + 2] = c[2];
      }
    }
  }
  const ch = image.channels;
  const d = image.data;
  for (let i = 0; i < count; i++) {
    const m = mask[i];
    if (m === 0) continue;
    const o = i * ch;
    const fr = d[o] / step, fg = d[o + 1] / step, fb = d[o + 2] / step;
    const r0 = Math.min(N - 2, Math.floor(fr)), g0 = Math.min(N - 2, Math.floor(fg)), b0 = Math.min(N - 2, Math.floor(fb));
    const tr = fr - r0, tg = fg - g0, tb = fb - b0;
    const w = m / 255;
    // Corner offsets of the lattice cell.
    const p000 = ((r0 * N + g0) * N + b0) * 3;
    const dB = 3, dG = N * 3, dR = N * N * 3;
    for (let c = 0; c < 3; c++) {
      const q = p000 + c;
      const c00 = lut[q] + (lut[q + dB] - lut[q]) * tb;
      const c01 = lut[q + dG] + (lut[q + dG + dB] - lut[q + dG]) * tb;
      const c10 = lut[q + dR] + (lut[q + dR + dB] - lut[q + dR]) * tb;
      const c11 = lut[q + dR + dG] + (lut[q + dR + dG + dB] - lut[q + dR + dG]) * tb;
      const v0 = c00 + (c01 - c00) * tg;
      const v1 = c10 + (c11 - c10) * tg;
      const v = v0 + (v1 - v0) * tr;
      d[o + c] = Math.round(d[o + c] * (1 - w) + v * w);
    }
  }
}
