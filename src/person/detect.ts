/**
 * Decoding of the pose detector's raw output into people. Each of the 2254 anchors gives 13
 * numbers: a score logit, then a box (cx, cy, w, h) and 4 keypoints (x, y), all in 224-pixel
 * units relative to the anchor centre (MediaPipe's SSD convention with scale 224).
 * Keypoint 0 is the hip centre, 1 a point above the head that fixes the body scale and
 * rotation (MediaPipe's alignment points), 2 and 3 the same pair for the upper body.
 *
 * Some anchors put out garbage on ordinary photos (logits in the thousands, boxes far outside
 * the frame): those are dropped before scoring, or one of them would win every time.
 */
import type { Point } from '../types.ts';
import { ANCHORS, ANCHOR_COUNT, DETECTOR_SIZE } from './anchors.ts';
import { applyAffine, type Affine } from './geometry.ts';

export interface Detection {
  score: number;
  /** Box in photo pixels (axis-aligned). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The 4 detector keypoints in photo pixels. */
  keypoints: Point[];
}

const STRIDE = 13;
/** A real detection's logit stays well inside this; anything beyond it is a broken anchor. */
const MAX_LOGIT = 50;
export const MIN_DETECTION_SCORE = 0.5;
const NMS_IOU = 0.3;

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

interface Candidate {
  score: number;
  /** Normalised letterbox coordinates: box then 4 keypoints. */
  box: [number, number, number, number];
  kps: number[];
}

function plausible(values: Float32Array, o: number): boolean {
  for (let k = 0; k < STRIDE; k++) if (!Number.isFinite(values[o + k])) return false;
  if (Math.abs(values[o]) > MAX_LOGIT) return false;
  const w = values[o + 3] / DETECTOR_SIZE;
  const h = values[o + 4] / DETECTOR_SIZE;
  if (!(w > 0.01 && w <= 2 && h > 0.01 && h <= 2)) return false;
  for (let k = 1; k < STRIDE; k++) if (Math.abs(values[o + k]) > 2 * DETECTOR_SIZE) return false;
  return true;
}

function iou(a: Candidate['box'], b: Candidate['box']): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Decodes, filters and merges (MediaPipe's weighted NMS: overlapping candidates are averaged by
 * score) the raw detector output; `crop` maps the 224 letterbox to photo pixels. Best first.
 */
export function decodeDetections(raw: Float32Array, crop: Affine, minScore = MIN_DETECTION_SCORE): Detection[] {
  if (raw.length !== ANCHOR_COUNT * STRIDE) throw new Error(`pose detector output has ${raw.length} values, expected ${ANCHOR_COUNT * STRIDE}`);
  const candidates: Candidate[] = [];
  for (let i = 0; i < ANCHOR_COUNT; i++) {
    const o = i * STRIDE;
    if (!plausible(raw, o)) continue;
    const score = sigmoid(raw[o]);
    if (score < minScore) continue;
    const ax = ANCHORS[2 * i];
    const ay = ANCHORS[2 * i + 1];
    const cx = raw[o + 1] / DETECTOR_SIZE + ax;
    const cy = raw[o + 2] / DETECTOR_SIZE + ay;
    const w = raw[o + 3] / DETECTOR_SIZE;
    const h = raw[o + 4] / DETECTOR_SIZE;
    const kps: number[] = [];
    for (let k = 0; k < 4; k++) kps.push(raw[o + 5 + 2 * k] / DETECTOR_SIZE + ax, raw[o + 6 + 2 * k] / DETECTOR_SIZE + ay);
    candidates.push({ score, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], kps });
  }
  candidates.sort((p, q) => q.score - p.score);
  const merged: Candidate[] = [];
  const used = new Uint8Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    if (used[i]) continue;
    const group: Candidate[] = [];
    for (let j = i; j < candidates.length; j++) {
      if (!used[j] && iou(candidates[i].box, candidates[j].box) > NMS_IOU) {
        used[j] = 1;
        group.push(candidates[j]);
      }
    }
    const total = group.reduce((s, c) => s + c.score, 0);
    const box = [0, 0, 0, 0] as Candidate['box'];
    const kps = new Array<number>(8).fill(0);
    for (const c of group) {
      for (let k = 0; k < 4; k++) box[k] += (c.box[k] * c.score) / total;
      for (let k = 0; k < 8; k++) kps[k] += (c.kps[k] * c.score) / total;
    }
    merged.push({ score: candidates[i].score, box, kps });
  }
  return merged.map((c) => {
    const p0 = applyAffine(crop, c.box[0] * DETECTOR_SIZE, c.box[1] * DETECTOR_SIZE);
    const p1 = applyAffine(crop, c.box[2] * DETECTOR_SIZE, c.box[3] * DETECTOR_SIZE);
    const keypoints = [0, 1, 2, 3].map((k) => applyAffine(crop, c.kps[2 * k] * DETECTOR_SIZE, c.kps[2 * k + 1] * DETECTOR_SIZE));
    return { score: c.score, x0: p0.x, y0: p0.y, x1: p1.x, y1: p1.y, keypoints };
  });
}
