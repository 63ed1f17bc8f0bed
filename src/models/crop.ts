/**
 * 2-D affine maps between the photo and the model crops. A crop is a rotated square in the
 * photo; the map sends crop pixel (u, v) to photo pixel (x, y):
 *   x = a*u + b*v + c,  y = d*u + e*v + f.
 */
import type { Point } from '../types.ts';

export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** A rotated square region of the photo, in photo pixels (MediaPipe's normalised rect, unnormalised). */
export interface RotatedRect {
  cx: number;
  cy: number;
  /** Side of the square in photo pixels. */
  size: number;
  /** Radians, clockwise on screen (y down); 0 = upright. */
  rotation: number;
}

export function applyAffine(m: Affine, u: number, v: number): Point {
  return { x: m.a * u + m.b * v + m.c, y: m.d * u + m.e * v + m.f };
}

export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

/** The map from an `out` x `out` crop (pixel units) onto the rotated rect in the photo. */
export function rectToAffine(r: RotatedRect, out: number): Affine {
  const s = r.size / out;
  const cos = Math.cos(r.rotation);
  const sin = Math.sin(r.rotation);
  // Crop pixel u -> local (u - out/2) * s, rotated, then moved to the centre.
  const a = cos * s;
  const b = -sin * s;
  const d = sin * s;
  const e = cos * s;
  const h = out / 2;
  return { a, b, c: r.cx - a * h - b * h, d, e, f: r.cy - d * h - e * h };
}

/** Keep-aspect letterbox of a w x h photo into an `out` square: the crop -> photo map. */
export function letterboxAffine(width: number, height: number, out: number): Affine {
  const s = Math.max(width, height) / out;
  return { a: s, b: 0, c: (width - out * s) / 2, d: 0, e: s, f: (height - out * s) / 2 };
}

/**
 * MediaPipe's alignment-points rect: centred on `centre`, side 2 x |scalePoint - centre| x
 * `scale`, rotated so that centre -> scalePoint points up.
 */
export function alignmentRect(centre: Point, scalePoint: Point, scale = 1.25): RotatedRect {
  const dx = scalePoint.x - centre.x;
  const dy = scalePoint.y - centre.y;
  const size = 2 * Math.hypot(dx, dy) * scale;
  return { cx: centre.x, cy: centre.y, size, rotation: normaliseAngle(Math.PI / 2 - Math.atan2(-dy, dx)) };
}

export function normaliseAngle(r: number): number {
  return r - 2 * Math.PI * Math.floor((r + Math.PI) / (2 * Math.PI));
}
