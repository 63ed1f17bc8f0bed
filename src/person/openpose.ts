/**
 * BlazePose-33 -> OpenPose-18 (COCO order) `pose_keypoints_2d`: [x, y, score] x 18 in pixels,
 * (0, 0, 0) where the keypoint is unsure or outside the photo. Neck is the mid-shoulder point.
 */
import type { Keypoint } from '../types.ts';

/** For each OpenPose index, the BlazePose index (or a pair to average for the neck). */
const FROM_BLAZEPOSE: (number | [number, number])[] = [
  0, // nose
  [11, 12], // neck
  12, 14, 16, // right shoulder, elbow, wrist
  11, 13, 15, // left shoulder, elbow, wrist
  24, 26, 28, // right hip, knee, ankle
  23, 25, 27, // left hip, knee, ankle
  5, 2, // right eye, left eye
  8, 7, // right ear, left ear
];

export const OPENPOSE_MIN_SCORE = 0.3;

export function toOpenPose(keypoints: Keypoint[], width: number, height: number, minScore = OPENPOSE_MIN_SCORE): number[] {
  const out: number[] = [];
  for (const src of FROM_BLAZEPOSE) {
    const [x, y, score] = Array.isArray(src)
      ? [
          (keypoints[src[0]].x + keypoints[src[1]].x) / 2,
          (keypoints[src[0]].y + keypoints[src[1]].y) / 2,
          Math.min(keypoints[src[0]].score, keypoints[src[1]].score),
        ]
      : [keypoints[src].x, keypoints[src].y, keypoints[src].score];
    const inside = x >= 0 && y >= 0 && x < width && y < height;
    if (score < minScore || !inside) out.push(0, 0, 0);
    else out.push(Math.round(x * 100) / 100, Math.round(y * 100) / 100, Math.round(score * 1000) / 1000);
  }
  return out;
}
