/**
 * A strong colour cast (tungsten, a blue hour, a coloured gel) corrected for the pose and
 * segmentation networks, which were trained on roughly white-balanced photos: on a copy lit
 * orange or blue they misplace joints (a wrist 10 % of the height off, measured). The cast is
 * read from the brightest pixels (white patch: a studio backdrop, a white shirt, highlights are
 * near-neutral in a balanced photo), so a photo of a red top on white is left alone while the
 * same photo under a red light is balanced. Only the networks' copy is balanced: the photo the
 * result is drawn on keeps its light.
 */
import type { RawImage } from '../types.ts';

/** Share of the pixels, brightest first, that stand for white. */
const WHITE_SHARE = 0.03;
/** Weakest channel of the white over the strongest under which the photo has a cast. */
const CAST_RATIO = 0.65;
/** Largest spread of the white pixels' chromaticity for them to be one light's colour. */
const MAX_SPREAD = 0.05;
/** Largest gain a channel gets (a channel that is nearly black carries no signal to lift). */
const MAX_GAIN = 3;

/** Per-channel gains that make the photo's white neutral, or null when it has no strong cast. */
export function castGains(image: RawImage): [number, number, number] | null {
  const { data, channels } = image;
  if (channels < 3) return null;
  const n = image.width * image.height;
  const hist = new Uint32Array(256);
  const step = Math.max(1, Math.floor(n / 20000));
  let count = 0;
  for (let i = 0; i < n; i += step) {
    hist[Math.max(data[i * channels], data[i * channels + 1], data[i * channels + 2])]++;
    count++;
  }
  // The brightness (max channel) above which WHITE_SHARE of the pixels lie.
  let threshold = 255;
  for (let acc = 0; threshold > 0 && (acc += hist[threshold]) < WHITE_SHARE * count; threshold--);
  const sum = [0, 0, 0];
  // Chromaticity (r and b over the sum) of the white pixels, and its spread: one light tints
  // them all alike, a colourful scene's brightest pixels are of many colours.
  const chroma = [0, 0, 0, 0];
  let m = 0;
  for (let i = 0; i < n; i += step) {
    const o = i * channels;
    if (Math.max(data[o], data[o + 1], data[o + 2]) < threshold) continue;
    for (let c = 0; c < 3; c++) sum[c] += data[o + c];
    const t = data[o] + data[o + 1] + data[o + 2] || 1;
    chroma[0] += data[o] / t;
    chroma[1] += data[o + 2] / t;
    chroma[2] += (data[o] / t) ** 2;
    chroma[3] += (data[o + 2] / t) ** 2;
    m++;
  }
  if (m === 0) return null;
  const spread = Math.sqrt(Math.max(0, chroma[2] / m - (chroma[0] / m) ** 2) + Math.max(0, chroma[3] / m - (chroma[1] / m) ** 2));
  if (spread > MAX_SPREAD) return null;
  const white = sum.map((s) => s / m);
  const top = Math.max(...white);
  if (top < 64 || Math.min(...white) >= CAST_RATIO * top) return null;
  return white.map((w) => Math.min(MAX_GAIN, top / Math.max(1, w))) as [number, number, number];
}

/** A copy with each channel multiplied by its gain (clipped). */
export function balanced(image: RawImage, gains: [number, number, number]): RawImage {
  const { data, channels } = image;
  const out = new Uint8Array(data.length);
  const lut = gains.map((g) => Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.round(v * g))));
  for (let i = 0; i < data.length; i += channels) {
    for (let c = 0; c < 3; c++) out[i + c] = lut[c][data[i + c]];
    for (let c = 3; c < channels; c++) out[i + c] = data[i + c];
  }
  return { ...image, data: out };
}
