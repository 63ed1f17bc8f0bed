/**
 * Skin colour model sampled from the face (the hands when the face is out of the frame): a Gaussian in (Cr, Cb) with a loose luma gate, so
 * shading on an arm still reads as skin while a beige sleeve of a different chroma does not.
 * Samples come from both cheeks and the nose bridge (no eyes, brows, lips or hair), trimmed of
 * outliers (glasses, beard, stray hair) before the model is fitted. The per-pixel likelihood
 * is read from a 256x256 (Cr, Cb) table, so the full-resolution pass is a lookup per pixel.
 */
import type { Keypoint, Mask, RawImage, RGB } from '../types.ts';
import { boundsOver, boxMean } from './mask.ts';

export interface SkinModel {
  mean: [number, number];
  /** Inverse covariance of (Cr, Cb). */
  inv: [number, number, number];
  meanY: number;
  color: RGB;
  samples: number;
}

const crOf = (r: number, g: number, b: number): number => 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
const cbOf = (r: number, g: number, b: number): number => 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
const yOf = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/** Smallest chroma spread allowed, so a very uniform face does not make a razor-thin model. */
const MIN_SIGMA = 5;
/** The fitted spread is widened by this: arms and necks are lit differently from the face. */
const WIDEN = 2.0;
/** Squared Mahalanobis distance past which the likelihood rounds to 0 (255 e^(-(d2-1)/2) < 0.5). */
const TABLE_REACH = 1 + 2 * Math.log(510);

function fit(cr: number[], cb: number[], keep: boolean[]): { m: [number, number]; c: [number, number, number] } {
  let n = 0;
  let sr = 0;
  let sb = 0;
  for (let i = 0; i < cr.length; i++) if (keep[i]) (n++, (sr += cr[i]), (sb += cb[i]));
  const mr = sr / n;
  const mb = sb / n;
  let vrr = 0;
  let vbb = 0;
  let vrb = 0;
  for (let i = 0; i < cr.length; i++) {
    if (!keep[i]) continue;
    const a = cr[i] - mr;
    const b = cb[i] - mb;
    vrr += a * a;
    vbb += b * b;
    vrb += a * b;
  }
  return { m: [mr, mb], c: [vrr / n, vrb / n, vbb / n] };
}

interface Samples {
  cr: number[];
  cb: number[];
  ys: number[];
  rgb: [number, number, number];
}

/**
 * Person pixels in discs around `centres`; with `gate`, only those inside the classic YCbCr
 * skin box (Chai & Ngan 1999), which every skin tone falls in and most cloth does not.
 */
function sampleDiscs(image: RawImage, mask: Mask, centres: { x: number; y: number }[], radius: number, gate: boolean): { samples: Samples; seen: number } {
  const { data, width, height, channels } = image;
  const samples: Samples = { cr: [], cb: [], ys: [], rgb: [0, 0, 0] };
  let seen = 0;
  for (const c of centres) {
    const x0 = Math.max(0, Math.floor(c.x - radius));
    const x1 = Math.min(width - 1, Math.ceil(c.x + radius));
    const y0 = Math.max(0, Math.floor(c.y - radius));
    const y1 = Math.min(height - 1, Math.ceil(c.y + radius));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x - c.x) ** 2 + (y - c.y) ** 2 > radius * radius) continue;
        const i = y * width + x;
        if (mask.data[i] < 128) continue;
        seen++;
        const o = i * channels;
        const r = data[o];
        const g = data[o + 1];
        const b = data[o + 2];
        const cr = crOf(r, g, b);
        const cb = cbOf(r, g, b);
        if (gate && !(cr >= 133 && cr <= 173 && cb >= 77 && cb <= 127)) continue;
        samples.cr.push(cr);
        samples.cb.push(cb);
        samples.ys.push(yOf(r, g, b));
        samples.rgb[0] += r;
        samples.rgb[1] += g;
        samples.rgb[2] += b;
      }
    }
  }
  return { samples, seen };
}

/** The face's cheeks and nose bridge; null when the face is not visible enough. */
function faceSamples(image: RawImage, mask: Mask, k: Keypoint[]): Samples | null {
  const eyeL = k[2];
  const eyeR = k[5];
  const nose = k[0];
  const mouthL = k[9];
  const mouthR = k[10];
  if (Math.min(eyeL.score, eyeR.score, nose.score) < 0.5) return null;
  const eyeDist = Math.hypot(eyeL.x - eyeR.x, eyeL.y - eyeR.y);
  if (eyeDist < 4) return null;
  const centres = [
    { x: (eyeL.x + mouthL.x) / 2, y: (eyeL.y + mouthL.y) / 2 + 0.1 * eyeDist },
    { x: (eyeR.x + mouthR.x) / 2, y: (eyeR.y + mouthR.y) / 2 + 0.1 * eyeDist },
    { x: (nose.x * 2 + (eyeL.x + eyeR.x) / 2) / 3, y: (nose.y * 2 + (eyeL.y + eyeR.y) / 2) / 3 },
  ];
  const { samples } = sampleDiscs(image, mask, centres, Math.max(1.5, 0.22 * eyeDist), false);
  return samples.cr.length >= 12 ? samples : null;
}

/**
 * The backs of the hands, for photos cropped above the face. Hands can be gloved, in pockets or
 * behind a bag: only skin-box pixels are kept, and the hands count only when most of what was
 * seen there passed.
 */
function handSamples(image: RawImage, mask: Mask, k: Keypoint[]): Samples | null {
  const centres: { x: number; y: number }[] = [];
  let radius = Infinity;
  for (const [wrist, pinky, index] of [[15, 17, 19], [16, 18, 20]]) {
    if (Math.min(k[wrist].score, k[pinky].score, k[index].score) < 0.5) continue;
    const kx = (k[pinky].x + k[index].x) / 2;
    const ky = (k[pinky].y + k[index].y) / 2;
    const len = Math.hypot(kx - k[wrist].x, ky - k[wrist].y);
    if (len < 4) continue;
    centres.push({ x: (k[wrist].x + kx) / 2, y: (k[wrist].y + ky) / 2 });
    radius = Math.min(radius, 0.4 * len);
  }
  if (centres.length === 0) return null;
  const { samples, seen } = sampleDiscs(image, mask, centres, radius, true);
  return samples.cr.length >= 12 && samples.cr.length >= HAND_SKIN_SHARE * seen ? samples : null;
}

/** Share of the in-mask pixels around the hands that must be skin-box coloured to trust them. */
const HAND_SKIN_SHARE = 0.5;

/**
 * Fits the model from the face, or from the hands when the face is out of the frame; null when
 * neither can be sampled. `source` says which was used.
 */
export function fitSkinModel(image: RawImage, mask: Mask, keypoints: Keypoint[]): (SkinModel & { source: 'face' | 'hands' }) | null {
  const face = faceSamples(image, mask, keypoints);
  const picked = face ?? handSamples(image, mask, keypoints);
  if (!picked) return null;
  const { cr, cb, ys, rgb } = picked;
  if (cr.length < 12) return null;
  // Two trimming rounds: drop samples beyond 2.5 sigma (glasses, beard, hair strands).
  let keep = cr.map(() => true);
  let model = fit(cr, cb, keep);
  for (let round = 0; round < 2; round++) {
    const [a, b, c] = model.c;
    const det = a * c - b * b || 1e-6;
    keep = cr.map((v, i) => {
      const dr = v - model.m[0];
      const db = cb[i] - model.m[1];
      return (c * dr * dr - 2 * b * dr * db + a * db * db) / det < 6.25;
    });
    if (keep.filter(Boolean).length < 8) break;
    model = fit(cr, cb, keep);
  }
  const minVar = MIN_SIGMA * MIN_SIGMA;
  const vrr = Math.max(model.c[0], minVar) * WIDEN * WIDEN;
  const vbb = Math.max(model.c[2], minVar) * WIDEN * WIDEN;
  // Diagonal: the face's chroma correlation (makeup, one light) does not carry over to arms.
  const vrb = 0;
  const det = vrr * vbb - vrb * vrb;
  let n = 0;
  let sy = 0;
  for (let i = 0; i < ys.length; i++) if (keep[i]) (n++, (sy += ys[i]));
  return {
    mean: model.m,
    inv: [vbb / det, -vrb / det, vrr / det],
    meanY: sy / n,
    color: rgb.map((v) => Math.round(v / cr.length)) as RGB,
    samples: n,
    source: face ? 'face' : 'hands',
  };
}

/**
 * Skin likelihood 0..255 per pixel, zero outside the person mask. The per-pixel values are
 * box-smoothed over `smooth` pixels: JPEG chroma is stored at half resolution in 8x8 blocks, and
 * unsmoothed it speckles skin with cloth and cloth with skin.
 */
export function skinLikelihood(image: RawImage, mask: Mask, model: SkinModel | null, smooth = 2): Mask {
  const { data, width, height, channels } = image;
  const out = new Uint8Array(width * height);
  if (!model) return { data: out, width, height };
  // (Cr, Cb) -> likelihood table.
  const table = new Uint8Array(65536);
  const [ia, ib, ic] = model.inv;
  for (let r = 0; r < 256; r++) {
    const dr = r - model.mean[0];
    // Rows whose nearest (Cr, Cb) is already past TABLE_REACH stay 0: most of the table.
    if (ia * dr * dr - (ic > 0 ? (ib * dr) ** 2 / ic : 0) > TABLE_REACH) continue;
    for (let b = 0; b < 256; b++) {
      const db = b - model.mean[1];
      const d2 = ia * dr * dr + 2 * ib * dr * db + ic * db * db;
      // Past the reach (with a margin far above rounding) the entry is 0 anyway: no exp needed.
      if (d2 > TABLE_REACH + 0.01) continue;
      // Flat top inside one sigma: the whole core of the skin distribution is surely skin.
      table[(r << 8) | b] = Math.round(255 * Math.exp(-0.5 * Math.max(0, d2 - 1)));
    }
  }
  // Luma gate: skin in deep shadow or blown highlights keeps its chroma but loses confidence.
  const lumaGate = new Float32Array(256);
  for (let y = 0; y < 256; y++) {
    const rel = y / Math.max(1, model.meanY);
    lumaGate[y] = rel < 0.35 ? Math.max(0, rel / 0.35) ** 2 : rel > 1.8 ? Math.max(0, 1 - (rel - 1.8) * 2) : 1;
  }
  // Work only inside the mask's bounding box (plus the smoothing margin): the person is
  // often half the photo or less.
  const md = mask.data;
  const bounds = boundsOver(mask, 1);
  if (!bounds) return { data: out, width, height };
  let { x0, x1, y0, y1 } = bounds;
  x0 = Math.max(0, x0 - smooth);
  y0 = Math.max(0, y0 - smooth);
  x1 = Math.min(width - 1, x1 + smooth);
  y1 = Math.min(height - 1, y1 + smooth);
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const raw = new Float32Array(bw * bh);
  for (let y = y0, k = 0; y <= y1; y++) {
    for (let x = x0, i = y * width + x0, o = i * channels; x <= x1; x++, i++, o += channels, k++) {
      if (md[i] === 0) continue;
      const r = data[o];
      const g = data[o + 1];
      const b = data[o + 2];
      const cr = (128 + 0.5 * r - 0.418688 * g - 0.081312 * b + 0.5) | 0;
      const cb = (128 - 0.168736 * r - 0.331264 * g + 0.5 * b + 0.5) | 0;
      const luma = (0.299 * r + 0.587 * g + 0.114 * b) | 0;
      raw[k] = table[((cr > 255 ? 255 : cr) << 8) | (cb > 255 ? 255 : cb)] * lumaGate[luma];
    }
  }
  const smoothed = smooth > 0 ? boxMean(raw, bw, bh, smooth, raw, new Float32Array(raw.length)) : raw;
  for (let y = y0, k = 0; y <= y1; y++) {
    for (let x = x0, i = y * width + x0; x <= x1; x++, i++, k++) {
      const m = md[i];
      if (m !== 0) out[i] = (smoothed[k] * m) / 255 + 0.5;
    }
  }
  return { data: out, width, height };
}
