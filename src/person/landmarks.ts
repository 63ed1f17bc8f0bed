/**
 * Decoding of the landmark network's output (39 points x 5: x, y, z in 256-crop pixels, then
 * visibility and presence logits) back into the photo through the crop's affine map.
 * Points 0..32 are BlazePose's keypoints; 33 and 34 are the alignment points (hip centre and
 * a point above the head) from which the next crop is made; 35..38 are unused.
 */
import { KEYPOINT_NAMES, type Keypoint, type Point } from '../types.ts';
import { applyAffine, type Affine } from './geometry.ts';
import { LANDMARK_COUNT } from './nets.ts';

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export interface DecodedLandmarks {
  keypoints: Keypoint[];
  /** Alignment points in photo pixels: [hip centre, above-head point]. */
  alignment: [Point, Point];
}

const HEATMAP_SIZE = 64;
/** MediaPipe's RefineLandmarksFromHeatmapCalculator settings for the pose models. */
const REFINE_KERNEL = 7;
const REFINE_MIN_CONFIDENCE = 0.5;

/**
 * MediaPipe's heatmap refinement: each body keypoint moves to the confidence-weighted mean of
 * its heatmap in a 7x7-cell window around the regressed position, when the window's peak is
 * confident. The regression alone drifts by a few percent of the crop on wrists and ankles.
 * Works in place on the 39 x 5 output (crop pixels).
 */
export function refineFromHeatmap(raw: Float32Array, heatmap: Float32Array, cropSize: number): void {
  const cell = cropSize / HEATMAP_SIZE;
  const half = (REFINE_KERNEL - 1) / 2;
  for (let k = 0; k < 33; k++) {
    const col = Math.floor(raw[k * 5] / cell);
    const row = Math.floor(raw[k * 5 + 1] / cell);
    if (col < 0 || row < 0 || col >= HEATMAP_SIZE || row >= HEATMAP_SIZE) continue;
    let sum = 0;
    let wx = 0;
    let wy = 0;
    let peak = 0;
    for (let r = Math.max(0, row - half); r <= Math.min(HEATMAP_SIZE - 1, row + half); r++) {
      for (let c = Math.max(0, col - half); c <= Math.min(HEATMAP_SIZE - 1, col + half); c++) {
        const v = heatmap[(r * HEATMAP_SIZE + c) * LANDMARK_COUNT + k];
        sum += v;
        // Cell index, not cell centre, as MediaPipe does: measured on the fixtures this puts
        // every visible joint inside the mask, the cell centre pushed 4 wrists out of it.
        wx += c * v;
        wy += r * v;
        if (v > peak) peak = v;
      }
    }
    if (peak >= REFINE_MIN_CONFIDENCE && sum > 0) {
      raw[k * 5] = (wx / sum) * cell;
      raw[k * 5 + 1] = (wy / sum) * cell;
    }
  }
}

export function decodeLandmarks(raw: Float32Array, crop: Affine, width: number, height: number): DecodedLandmarks {
  if (raw.length !== LANDMARK_COUNT * 5) throw new Error(`landmark output has ${raw.length} values, expected ${LANDMARK_COUNT * 5}`);
  const zScale = Math.hypot(crop.a, crop.d);
  const keypoints: Keypoint[] = KEYPOINT_NAMES.map((name, i) => {
    const o = i * 5;
    const p = applyAffine(crop, raw[o], raw[o + 1]);
    return {
      name,
      x: p.x,
      y: p.y,
      nx: p.x / width,
      ny: p.y / height,
      z: raw[o + 2] * zScale,
      score: sigmoid(raw[o + 3]),
      presence: sigmoid(raw[o + 4]),
    };
  });
  const alignment: [Point, Point] = [applyAffine(crop, raw[33 * 5], raw[33 * 5 + 1]), applyAffine(crop, raw[34 * 5], raw[34 * 5 + 1])];
  return { keypoints, alignment };
}
