/**
 * The two BlazePose networks as plain functions of float arrays, over the model wrappers
 * (src/models/blazepose-detector.ts, blazepose-landmarks.ts). Tests and tools can pass any
 * other implementation of `PoseNets` to `analyseWithNets`.
 *
 * - detector: 224x224 NHWC RGB in [-1, 1]; output 2254 x 13 (see detect.ts).
 * - landmarks (lite/full/heavy): 256x256 NHWC RGB in [0, 1]; 39 x 5 landmarks (x, y, z in crop
 *   pixels, visibility and presence logits), a 256x256 segmentation and a pose flag (both
 *   probabilities), and 64x64 heatmaps per landmark (cost nothing extra: the graph computes them
 *   anyway).
 */
import { runDetector } from '../models/blazepose-detector.ts';
import { runLandmarks } from '../models/blazepose-landmarks.ts';
import type { ModelRegistry } from '../models/registry.ts';

export const LANDMARK_SIZE = 256;
export const LANDMARK_COUNT = 39;

export interface LandmarkOutput {
  /** 39 x 5: x, y, z (crop pixels), visibility logit, presence logit. */
  landmarks: Float32Array;
  /** 256 x 256 person probability in the crop. */
  segmentation: Float32Array;
  /** Probability that a person is in the crop. */
  flag: number;
  /** 64 x 64 x 39 (NHWC) per-landmark heatmaps, probabilities; used to refine x, y. */
  heatmap?: Float32Array;
}

export interface PoseNets {
  detect(input: Float32Array): Promise<Float32Array>;
  landmarks(input: Float32Array): Promise<LandmarkOutput>;
}

export function poseNetsFromRegistry(registry: ModelRegistry, landmarkModel: 'lite' | 'full' | 'heavy'): PoseNets {
  return {
    detect: async (input) => (await runDetector(registry, input)).raw,
    async landmarks(input) {
      const out = await runLandmarks(registry, input, { model: landmarkModel, heatmap: true });
      return { landmarks: out.landmarks, segmentation: out.segmentation, flag: out.poseflag, heatmap: out.heatmap };
    },
  };
}
