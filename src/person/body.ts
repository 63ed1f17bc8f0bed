/**
 * Body geometry from the 33 keypoints: the scale (shoulder width, torso length), the body axis,
 * the face ellipse, and one capsule per body part (a bone segment with a radius scaled by the
 * body). Parsing labels pixels by these capsules; this file holds only the geometry.
 */
import type { Keypoint, Point } from '../types.ts';

/** Body parts the capsules stand for (ids of the coarse part map). */
export const Part = {
  None: 0,
  Head: 1,
  Torso: 2,
  LeftUpperArm: 3,
  LeftForearm: 4,
  RightUpperArm: 5,
  RightForearm: 6,
  LeftHand: 7,
  RightHand: 8,
  LeftThigh: 9,
  LeftShin: 10,
  RightThigh: 11,
  RightShin: 12,
  LeftFoot: 13,
  RightFoot: 14,
} as const;
export type Part = (typeof Part)[keyof typeof Part];

export interface Capsule {
  part: Part;
  ax: number;
  ay: number;
  bx: number;
  by: number;
  r: number;
  /** Arms and hands that are visible win inside their radius: they are in front of the torso. */
  front: boolean;
}

export interface Ellipse {
  cx: number;
  cy: number;
  /** Unit vector of the long (chin-to-forehead) axis. */
  ux: number;
  uy: number;
  /** Semi-axes along u and across it. */
  ra: number;
  rb: number;
}

export interface BodyGeometry {
  shoulderWidth: number;
  torsoLength: number;
  shoulderMid: Point;
  hipMid: Point;
  leftShoulder: Point;
  face: Ellipse;
  /** Mouth centre: below it, skin around the head is neck. */
  mouth: Point;
  capsules: Capsule[];
}

const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
const FRONT_MIN_SCORE = 0.5;

export function bodyGeometry(k: Keypoint[]): BodyGeometry {
  const shoulderMid = mid(k[11], k[12]);
  const hipMid = mid(k[23], k[24]);
  const torsoLength = Math.max(1, dist(shoulderMid, hipMid));
  // Side views squeeze the shoulder line; the torso length keeps the scale honest.
  const shoulderWidth = Math.max(dist(k[11], k[12]), 0.55 * torsoLength);
  const sw = shoulderWidth;

  const eyeMid = mid(k[2], k[5]);
  const mouth = mid(k[9], k[10]);
  const em = Math.max(dist(eyeMid, mouth), 0.12 * sw);
  const ux = (mouth.x - eyeMid.x) / (dist(eyeMid, mouth) || 1);
  const uy = (mouth.y - eyeMid.y) / (dist(eyeMid, mouth) || 1);
  // Face proportions: hairline ~0.9 em above the eyes, chin ~0.5 em below the mouth.
  const earHalf = dist(k[7], k[8]) / 2;
  const eyeHalf = dist(k[3], k[6]) / 2;
  const face: Ellipse = {
    cx: eyeMid.x + ux * 0.3 * em,
    cy: eyeMid.y + uy * 0.3 * em,
    ux: dist(eyeMid, mouth) > 0 ? ux : 0,
    uy: dist(eyeMid, mouth) > 0 ? uy : 1,
    ra: 1.25 * em,
    rb: Math.max(0.9 * earHalf, 1.5 * eyeHalf, 0.8 * em),
  };
  const headR = Math.max(face.ra, face.rb) * 1.25;

  const vis = (...i: number[]): number => Math.min(...i.map((j) => k[j].score));
  const capsule = (part: Part, a: Point, b: Point, r: number, front = false): Capsule => ({ part, ax: a.x, ay: a.y, bx: b.x, by: b.y, r, front });
  const hand = (part: Part, wrist: number, pinky: number, index: number, thumb: number): Capsule => {
    const w = k[wrist];
    const tip = { x: (k[pinky].x + k[index].x + k[thumb].x) / 3, y: (k[pinky].y + k[index].y + k[thumb].y) / 3 };
    const len = Math.max(dist(w, tip), 0.08 * sw);
    const dir = { x: (tip.x - w.x) / (dist(w, tip) || 1), y: (tip.y - w.y) / (dist(w, tip) || 1) };
    // Fingers reach past the index/pinky knuckles the model marks.
    const end = { x: w.x + dir.x * len * 1.5, y: w.y + dir.y * len * 1.5 };
    const start = { x: w.x + dir.x * len * 0.25, y: w.y + dir.y * len * 0.25 };
    return capsule(part, start, end, Math.max(0.6 * len, 0.09 * sw), vis(wrist, index, pinky) >= FRONT_MIN_SCORE);
  };
  const headTop = { x: face.cx - face.ux * face.ra, y: face.cy - face.uy * face.ra };
  const capsules: Capsule[] = [
    capsule(Part.Head, { x: face.cx, y: face.cy }, headTop, headR),
    capsule(Part.Torso, shoulderMid, hipMid, 0.5 * sw),
    capsule(Part.LeftUpperArm, k[11], k[13], 0.17 * sw, vis(11, 13) >= FRONT_MIN_SCORE),
    capsule(Part.LeftForearm, k[13], k[15], 0.14 * sw, vis(13, 15) >= FRONT_MIN_SCORE),
    capsule(Part.RightUpperArm, k[12], k[14], 0.17 * sw, vis(12, 14) >= FRONT_MIN_SCORE),
    capsule(Part.RightForearm, k[14], k[16], 0.14 * sw, vis(14, 16) >= FRONT_MIN_SCORE),
    hand(Part.LeftHand, 15, 17, 19, 21),
    hand(Part.RightHand, 16, 18, 20, 22),
    capsule(Part.LeftThigh, k[23], k[25], 0.26 * sw),
    capsule(Part.LeftShin, k[25], k[27], 0.17 * sw),
    capsule(Part.RightThigh, k[24], k[26], 0.26 * sw),
    capsule(Part.RightShin, k[26], k[28], 0.17 * sw),
    capsule(Part.LeftFoot, k[27], k[31], 0.13 * sw),
    capsule(Part.RightFoot, k[28], k[32], 0.13 * sw),
  ];
  return { shoulderWidth, torsoLength, shoulderMid, hipMid, leftShoulder: { x: k[11].x, y: k[11].y }, face, mouth, capsules };
}

/** Squared distance from (x, y) to the capsule's bone, over its squared radius. */
export function capsuleDistance2(c: Capsule, x: number, y: number): number {
  const dx = c.bx - c.ax;
  const dy = c.by - c.ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((x - c.ax) * dx + (y - c.ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = x - c.ax - t * dx;
  const ey = y - c.ay - t * dy;
  return (ex * ex + ey * ey) / (c.r * c.r);
}

/** (distance along u, distance across u) normalised by the semi-axes, squared and summed. */
export function ellipseDistance2(e: Ellipse, x: number, y: number): number {
  const dx = x - e.cx;
  const dy = y - e.cy;
  const a = (dx * e.ux + dy * e.uy) / e.ra;
  const b = (-dx * e.uy + dy * e.ux) / e.rb;
  return a * a + b * b;
}
