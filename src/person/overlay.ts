/**
 * Pictures and summaries of a person analysis for `tryon inspect`: parsing colours blended
 * over the photo, the mask outline dimmed outside, the skeleton and keypoints drawn on top
 * (an SVG rendered by sharp), and a JSON summary.
 */
import sharp from 'sharp';
import { KEYPOINT_NAMES, PARSING_LABELS, type PersonAnalysis, type RawImage, type RGB } from '../types.ts';

/** One colour per parsing label (LIP-like palette): the one palette of `tryon inspect` and `tryon run --debug`. */
export const LABEL_COLORS: RGB[] = [
  [0, 0, 0], // background
  [170, 60, 0], // hair
  [255, 200, 150], // face
  [255, 140, 200], // neck
  [230, 30, 30], // upper_clothes
  [30, 60, 230], // lower_clothes
  [0, 200, 80], // left_arm
  [240, 210, 0], // right_arm
  [150, 0, 220], // hands
  [0, 210, 210], // legs
  [90, 90, 90], // shoes
  [255, 120, 0], // torso_skin
];

/** The parsing alone, one LABEL_COLORS colour per pixel (background black). */
export function parsingImage(a: PersonAnalysis): RawImage {
  const { width, height } = a;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(LABEL_COLORS[a.parsing.data[i]] ?? [255, 255, 255], i * 3);
  return { data, width, height, channels: 3 };
}

/** BlazePose skeleton edges (wearer's left drawn green, right orange, centre white). */
const EDGES: [number, number][] = [
  [11, 12], [11, 23], [12, 24], [23, 24],
  [11, 13], [13, 15], [15, 17], [15, 19], [15, 21], [17, 19],
  [12, 14], [14, 16], [16, 18], [16, 20], [16, 22], [18, 20],
  [23, 25], [25, 27], [27, 29], [27, 31], [29, 31],
  [24, 26], [26, 28], [28, 30], [28, 32], [30, 32],
  [0, 2], [0, 5], [2, 7], [5, 8], [9, 10],
];

const side = (i: number): 'left' | 'right' | 'centre' => {
  const n = KEYPOINT_NAMES[i];
  return n.startsWith('left') ? 'left' : n.startsWith('right') ? 'right' : 'centre';
};
const SIDE_COLOR = { left: '#00e060', right: '#ff8800', centre: '#ffffff' };

/** Overlay PNG at the photo's resolution. `alpha` is the parsing colours' opacity. */
export async function renderPersonOverlay(a: PersonAnalysis, alpha = 0.5): Promise<Buffer> {
  const { width, height } = a;
  const src = a.image.data;
  const ch = a.image.channels;
  const out = new Uint8Array(width * height * 3);
  const labels = a.parsing.data;
  const mask = a.mask.data;
  for (let i = 0, o = 0, s = 0; i < labels.length; i++, o += 3, s += ch) {
    const label = labels[i];
    // Outside the person the photo is dimmed by the mask, so the mask's edge is visible too.
    const dim = 0.35 + 0.65 * (mask[i] / 255);
    if (label === 0) {
      out[o] = src[s] * dim;
      out[o + 1] = src[s + 1] * dim;
      out[o + 2] = src[s + 2] * dim;
    } else {
      const c = LABEL_COLORS[label];
      out[o] = src[s] * (1 - alpha) + c[0] * alpha;
      out[o + 1] = src[s + 1] * (1 - alpha) + c[1] * alpha;
      out[o + 2] = src[s + 2] * (1 - alpha) + c[2] * alpha;
    }
  }
  const k = a.keypoints;
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 400));
  const parts: string[] = [];
  for (const [p, q] of EDGES) {
    if (Math.min(k[p].score, k[q].score) < 0.3) continue;
    const colour = SIDE_COLOR[side(p) === 'centre' ? side(q) : side(p)];
    parts.push(`<line x1="${k[p].x.toFixed(1)}" y1="${k[p].y.toFixed(1)}" x2="${k[q].x.toFixed(1)}" y2="${k[q].y.toFixed(1)}" stroke="${colour}" stroke-width="${stroke}" stroke-linecap="round"/>`);
  }
  k.forEach((p, i) => {
    const opacity = p.score < 0.3 ? 0.35 : 1;
    parts.push(`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${stroke * 1.6}" fill="${SIDE_COLOR[side(i)]}" stroke="#000" stroke-width="1" opacity="${opacity}"/>`);
  });
  const b = a.box;
  parts.push(`<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="#ffffff" stroke-dasharray="8 6" stroke-width="${Math.max(1, stroke / 2)}"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
  return sharp(Buffer.from(out.buffer), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png({ compressionLevel: 6 })
    .toBuffer();
}

export interface PersonSummary {
  key: string;
  width: number;
  height: number;
  score: number;
  box: PersonAnalysis['box'];
  keypoints: { name: string; x: number; y: number; score: number; presence: number }[];
  openpose: { version: number; people: { pose_keypoints_2d: number[] }[] };
  /** Pixels per parsing label. */
  labels: Record<string, number>;
  maskPixels: number;
  skinColor: RGB;
  posture: PersonAnalysis['posture'];
  warnings: string[];
  timings: Record<string, number>;
}

export function personSummary(a: PersonAnalysis): PersonSummary {
  const counts = new Array<number>(PARSING_LABELS.length).fill(0);
  for (const l of a.parsing.data) counts[l]++;
  let maskPixels = 0;
  for (const m of a.mask.data) if (m >= 128) maskPixels++;
  const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;
  return {
    key: a.key,
    width: a.width,
    height: a.height,
    score: round(a.score, 3),
    box: a.box,
    keypoints: a.keypoints.map((k) => ({ name: k.name, x: round(k.x), y: round(k.y), score: round(k.score, 3), presence: round(k.presence, 3) })),
    openpose: { version: 1.3, people: [{ pose_keypoints_2d: a.openpose }] },
    labels: Object.fromEntries(PARSING_LABELS.map((n, i) => [n, counts[i]])),
    maskPixels,
    skinColor: a.skinColor,
    posture: a.posture,
    warnings: a.warnings,
    timings: a.timings,
  };
}
