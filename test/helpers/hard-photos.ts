/**
 * Hard person photos built at test time from a shared photograph (never stored): the person
 * composited over a busy texture, under a strong coloured light, downscaled to a short side of
 * 384 px, upscaled, and in grey-scale. Each comes with the map from the original photo's pixels
 * to its own, so an analysis of it can be compared with the original's.
 */
import sharp from 'sharp';
import type { Mask, RawImage } from '../../src/types.ts';

export type HardCase = 'busy' | 'warm-light' | 'blue-light' | 'small' | 'large' | 'grey';

export interface HardPhoto {
  kind: HardCase;
  /** Encoded photo (PNG for the composites, JPEG q92 for the rest). */
  bytes: Buffer;
  width: number;
  height: number;
  /** Photo pixels per original pixel (the same on both axes). */
  scale: number;
}

function raw(img: RawImage): ReturnType<typeof sharp> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: img.channels } });
}

/**
 * A strongly patterned backdrop: saturated colour stripes at two angles, a checkerboard and
 * noise, with skin-like and clothes-like hues among them (deterministic).
 */
export function busyTexture(width: number, height: number, seed = 7): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const noise = (s / 0x7fffffff - 0.5) * 40;
      const a = Math.sin((x + 0.6 * y) / 9) * 0.5 + 0.5;
      const b = Math.sin((0.8 * x - y) / 23) * 0.5 + 0.5;
      const check = (Math.floor(x / 48) + Math.floor(y / 48)) % 2;
      const i = (y * width + x) * 3;
      out[i] = clamp(60 + 170 * a + (check ? 20 : -20) + noise);
      out[i + 1] = clamp(40 + 120 * b * (1 - 0.5 * a) + noise);
      out[i + 2] = clamp(50 + 160 * (1 - a) * b + (check ? -30 : 30) + noise);
    }
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** The person (by its soft mask) over the busy texture, as PNG (no JPEG fringe to confound the mask). */
export async function overBusyTexture(photo: RawImage, mask: Mask): Promise<HardPhoto> {
  const { width, height } = photo;
  const bg = busyTexture(width, height);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = mask.data[i] / 255;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(a * photo.data[i * photo.channels + c] + (1 - a) * bg[i * 3 + c]);
  }
  const bytes = await raw({ data: out, width, height, channels: 3 }).png({ compressionLevel: 1 }).toBuffer();
  return { kind: 'busy', bytes, width, height, scale: 1 };
}

/** A strong coloured light: each channel multiplied by a tint, then a gamma (a warm tungsten cast, or a cold blue one). */
export async function colouredLight(photo: RawImage, kind: 'warm-light' | 'blue-light'): Promise<HardPhoto> {
  const tint = kind === 'warm-light' ? [1.15, 0.8, 0.45] : [0.55, 0.75, 1.2];
  const gamma = kind === 'warm-light' ? 1.25 : 0.85;
  const { width, height } = photo;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = clamp(255 * Math.pow(Math.min(1, (photo.data[i * photo.channels + c] / 255) * tint[c]), gamma));
  }
  const bytes = await raw({ data: out, width, height, channels: 3 }).jpeg({ quality: 92 }).toBuffer();
  return { kind, bytes, width, height, scale: 1 };
}

/** The photo resized so its short side is `shortSide` (Lanczos), as JPEG. */
export async function resized(photo: RawImage, shortSide: number): Promise<HardPhoto> {
  const scale = shortSide / Math.min(photo.width, photo.height);
  const width = Math.round(photo.width * scale);
  const height = Math.round(photo.height * scale);
  const bytes = await raw(photo).resize(width, height, { kernel: 'lanczos3' }).jpeg({ quality: 92 }).toBuffer();
  return { kind: scale < 1 ? 'small' : 'large', bytes, width, height, scale };
}

/** The photo in grey-scale (one channel, as a phone's black-and-white mode writes it). */
export async function greyScale(photo: RawImage): Promise<HardPhoto> {
  const bytes = await raw(photo).greyscale().jpeg({ quality: 92 }).toBuffer();
  return { kind: 'grey', bytes, width: photo.width, height: photo.height, scale: 1 };
}

/** Intersection over union of two masks (>= 128 is inside), the second sampled at `scale` of the first's pixels. */
export function maskIoU(a: Mask, b: Mask): number {
  const sx = b.width / a.width;
  const sy = b.height / a.height;
  let inter = 0;
  let union = 0;
  for (let y = 0; y < a.height; y++) {
    const by = Math.min(b.height - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < a.width; x++) {
      const bx = Math.min(b.width - 1, Math.floor((x + 0.5) * sx));
      const ia = a.data[y * a.width + x] >= 128;
      const ib = b.data[by * b.width + bx] >= 128;
      if (ia && ib) inter++;
      if (ia || ib) union++;
    }
  }
  return union ? inter / union : 1;
}
