/**
 * The skeleton the bare body is built on: the pose keypoints it needs, by name, with the
 * body's scale (shoulder-joint distance) and axis. Wearer's left/right, as everywhere.
 */
import type { Keypoint, PersonAnalysis, Point } from '../types.ts';
import { withUnseenLegs } from '../person/legs.ts';

export type Side = 'left' | 'right';
export const SIDES: readonly Side[] = ['left', 'right'];

/** BlazePose indices of the joints used here, per side. */
const JOINTS = {
  shoulder: { left: 11, right: 12 },
  elbow: { left: 13, right: 14 },
  wrist: { left: 15, right: 16 },
  pinky: { left: 17, right: 18 },
  index: { left: 19, right: 20 },
  hip: { left: 23, right: 24 },
  knee: { left: 25, right: 26 },
  ankle: { left: 27, right: 28 },
} as const;
export type Joint = keyof typeof JOINTS;

export interface Skeleton {
  joint: (j: Joint, side: Side) => Keypoint;
  /** Shoulder-joint distance, at least 5 % of the photo's height: the unit of every proportion. */
  sw: number;
  shoulderMid: Point;
  hipMid: Point;
  /** Unit vector down the spine (shoulders to hips); straight down when the pose is lying or upside down. */
  down: Point;
  /** Shoulder line to hip line along the spine, pixels. */
  torsoLength: number;
  /** The base of the neck: midway between the shoulder joints, raised a little. */
  neckBase: Point;
  /** Face keypoints' lowest point (the chin's row, roughly), or null when the face is not seen. */
  chin: Point | null;
}

export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

export function skeleton(person: PersonAnalysis): Skeleton {
  const k = withUnseenLegs(person.keypoints);
  const joint = (j: Joint, side: Side): Keypoint => k[JOINTS[j][side]];
  const ls = joint('shoulder', 'left');
  const rs = joint('shoulder', 'right');
  const shoulderMid = lerp(ls, rs, 0.5);
  const hipMid = lerp(joint('hip', 'left'), joint('hip', 'right'), 0.5);
  const sw = Math.max(dist(ls, rs), 0.05 * person.height);
  const torsoLength = Math.max(dist(shoulderMid, hipMid), 0.8 * sw);
  let down = { x: (hipMid.x - shoulderMid.x) / torsoLength, y: (hipMid.y - shoulderMid.y) / torsoLength };
  if (down.y < 0.5) down = { x: 0, y: 1 };
  // Mouth corners and ears: the chin is a little below the mouth.
  const face = [k[9], k[10]].filter((p) => p.score > 0.5);
  const chin = face.length ? { x: face.reduce((s, p) => s + p.x, 0) / face.length, y: Math.max(...face.map((p) => p.y)) + 0.12 * sw } : null;
  const neckBase = { x: shoulderMid.x - down.x * 0.08 * sw, y: shoulderMid.y - down.y * 0.08 * sw };
  return { joint, sw, shoulderMid, hipMid, down, torsoLength, neckBase, chin };
}

/** Projection of (x, y) on segment a->b: the fraction along it (clamped) and the squared distance. */
export function project(x: number, y: number, a: Point, b: Point): { t: number; d2: number } {
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const len2 = abx * abx + aby * aby || 1;
  const t = Math.min(Math.max(((x - a.x) * abx + (y - a.y) * aby) / len2, 0), 1);
  return { t, d2: (x - a.x - abx * t) ** 2 + (y - a.y - aby * t) ** 2 };
}
