/**
 * Laying a worn garment's sleeves out as a product photo shows them. On a person the sleeves
 * hang along the body (or bend with the arms), against the torso's sides; the fit reads every
 * garment as a product photo, whose sleeves stand out from the body, straight (its armpits are
 * where the outline narrows to the torso, its side seams the mask's edges scanned out from the
 * centre, a sleeve whose cuff is not out beyond the shoulder is taken for a misread one, the
 * elbow halfway along the straight sleeve). So each sleeve is moved to a canonical pose: the
 * upper arm turned out to CANONICAL_ANGLE from the body's axis (never turned in: a sleeve
 * already out stays) about the armhole seam (shoulder point to armpit), the turn growing from
 * nothing on the seam (the sleeve stays sewn to the torso) to all of it half the seam's length
 * away; the forearm turned about the elbow into the upper arm's line, the two blended over a
 * short stretch around the elbow. The fit then turns them back onto the new person's arms
 * (moving least squares along each arm).
 *
 * A sleeve is the garment beyond its side's seam (the fit's own: shoulder, armpit, hem corner),
 * near the arm's bones, no further along the arm than the sleeve's end, and below the armpit on
 * its arm's label (the torso's side runs beside it there); the rest is the torso, which stays.
 */
import { LABEL, type Box, type FoundLandmarks, type PersonAnalysis, type Point } from '../../types.ts';
import { armT } from '../../bare/old-garment.ts';
import { dist, project, SIDES, type Side, type Skeleton } from '../../bare/skeleton.ts';

/** Angle of the laid-out sleeve from the body's axis, radians. */
const CANONICAL_ANGLE = (35 * Math.PI) / 180;
/** A sleeve pixel is no further than this from the arm's bones, in shoulder widths. */
const SLEEVE_REACH = 0.25;

export interface GarmentPlanes {
  /** Where the planes lie, in photo pixels (may reach beyond the photo once sleeves are laid out). */
  box: Box;
  rgb: Uint8Array;
  alpha: Uint8Array;
}

/** A rotation in the body's frame (down the spine, out towards a side), as its cosine and sine. */
interface Turn {
  cos: number;
  sin: number;
}

interface SleevePose {
  side: Side;
  /** The body's frame: down the spine, out towards this side. */
  down: Point;
  out: Point;
  /** The armhole seam the upper arm turns about, and the turn. */
  shoulder: Point;
  armpit: Point;
  angle: number;
  /** Distance from the seam (px) at which the whole turn applies. */
  fan: number;
  /** Forearm: p -> elbowOut + R2 (p - elbow); null for a short sleeve. */
  elbow: Point;
  elbowOut: Point;
  r2: Turn | null;
  /** Upper arm's length and its laid-out direction (for the blend around the elbow). */
  a1: number;
  axis: Point;
}

const turn = (angle: number): Turn => ({ cos: Math.cos(angle), sin: Math.sin(angle) });
const inverse = (t: Turn): Turn => ({ cos: t.cos, sin: -t.sin });
const sub = (a: Point, b: Point): Point => ({ x: a.x - b.x, y: a.y - b.y });
const add = (a: Point, b: Point): Point => ({ x: a.x + b.x, y: a.y + b.y });

/** Signed angle of v from the body's axis, positive towards `out`. */
function angleOf(v: Point, down: Point, out: Point): number {
  return Math.atan2(v.x * out.x + v.y * out.y, v.x * down.x + v.y * down.y);
}

/** Rotates v by a turn in the frame (down, out): down towards out is positive. */
function rotate(v: Point, t: Turn, down: Point, out: Point): Point {
  const d = v.x * down.x + v.y * down.y;
  const o = v.x * out.x + v.y * out.y;
  const d2 = t.cos * d - t.sin * o;
  const o2 = t.sin * d + t.cos * o;
  return { x: d2 * down.x + o2 * out.x, y: d2 * down.y + o2 * out.y };
}

/** The body's frame: down the spine, and out towards each side. */
function frame(sk: Skeleton): { down: Point; out: Record<Side, Point> } {
  const perp = { x: -sk.down.y, y: sk.down.x };
  const ls = sk.joint('shoulder', 'left');
  const rs = sk.joint('shoulder', 'right');
  const toLeft = perp.x * (ls.x - rs.x) + perp.y * (ls.y - rs.y) >= 0 ? perp : { x: -perp.x, y: -perp.y };
  return { down: sk.down, out: { left: toLeft, right: { x: -toLeft.x, y: -toLeft.y } } };
}

function poseOf(sk: Skeleton, side: Side, shoulder: Point, armpit: Point, long: boolean): SleevePose {
  const { down, out } = frame(sk);
  const o = out[side];
  const j = sk.joint('shoulder', side);
  const e = sk.joint('elbow', side);
  const w = sk.joint('wrist', side);
  const up = angleOf(sub(e, j), down, o);
  const laid = Math.max(up, CANONICAL_ANGLE);
  const a1 = Math.max(dist(j, e), 1);
  const pose: SleevePose = { side, down, out: o, shoulder, armpit, angle: laid - up, fan: Math.max(0.5 * dist(shoulder, armpit), 1), elbow: e, elbowOut: e, r2: null, a1, axis: { x: 0, y: 0 } };
  pose.elbowOut = upperForward(pose, e);
  const j2 = upperForward(pose, j);
  pose.axis = { x: (pose.elbowOut.x - j2.x) / a1, y: (pose.elbowOut.y - j2.y) / a1 };
  pose.r2 = long ? turn(laid - angleOf(sub(w, e), down, o)) : null;
  return pose;
}

/** The nearest point of the armhole seam. */
function seamFoot(pose: SleevePose, p: Point): Point {
  const { shoulder: a, armpit: b } = pose;
  const { t } = project(p.x, p.y, a, b);
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

/** The upper arm's turn at r px from the seam: none on it, all of it from `fan` on. */
function fanTurn(pose: SleevePose, r: number): Turn {
  const t = Math.min(1, r / pose.fan);
  return turn(pose.angle * t * t * (3 - 2 * t));
}

function upperForward(pose: SleevePose, p: Point): Point {
  const f = seamFoot(pose, p);
  const v = sub(p, f);
  return add(f, rotate(v, fanTurn(pose, Math.hypot(v.x, v.y)), pose.down, pose.out));
}

/** upperForward's inverse, by fixed-point steps (the turn keeps the distance to the seam's foot). */
function upperBackward(pose: SleevePose, q: Point): Point {
  let p = q;
  for (let i = 0; i < 5; i++) {
    const f = seamFoot(pose, p);
    const v = sub(q, f);
    p = add(f, rotate(v, inverse(fanTurn(pose, Math.hypot(v.x, v.y))), pose.down, pose.out));
  }
  return p;
}

/** Weight of the forearm's move at a laid-out point: 0 above the elbow, 1 past it, blended over a tenth of the upper arm either side. */
function forearmWeight(pose: SleevePose, q: Point): number {
  if (!pose.r2) return 0;
  const s = ((q.x - pose.elbowOut.x) * pose.axis.x + (q.y - pose.elbowOut.y) * pose.axis.y) / pose.a1;
  return Math.min(1, Math.max(0, (s + 0.1) / 0.2));
}

/** Where a photo point of the sleeve goes when laid out (w: the forearm's share, from its place along the arm). */
function forward(pose: SleevePose, p: Point, w: number): Point {
  const a = upperForward(pose, p);
  if (!pose.r2 || w <= 0) return a;
  const b = add(pose.elbowOut, rotate(sub(p, pose.elbow), pose.r2, pose.down, pose.out));
  return { x: a.x + (b.x - a.x) * w, y: a.y + (b.y - a.y) * w };
}

/** Where a laid-out point comes from in the photo. */
function backward(pose: SleevePose, q: Point): Point {
  const a = upperBackward(pose, q);
  const w = forearmWeight(pose, q);
  if (!pose.r2 || w <= 0) return a;
  const b = add(pose.elbow, rotate(sub(q, pose.elbowOut), inverse(pose.r2), pose.down, pose.out));
  return { x: a.x + (b.x - a.x) * w, y: a.y + (b.y - a.y) * w };
}

/**
 * The fit's seam of a side as x(y) (src/fit/warp.ts seamRows): shoulder, armpit, then down
 * to the bottom corner, its end segments continued.
 */
function seamX(line: Point[], y: number): number {
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i];
    const b = line[i + 1];
    if (y <= b.y || i + 2 === line.length) return Math.abs(b.y - a.y) < 1e-6 ? a.x : a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x);
  }
  return line[0].x;
}

/** Whether a photo point is on an arm's label or a hand. */
function onArm(person: PersonAnalysis, x: number, y: number, arm: number): boolean {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= person.width || yi >= person.height) return false;
  const l = person.parsing.data[yi * person.width + xi];
  return l === arm || l === LABEL.hands;
}

/** Per crop pixel: 0 torso (or nothing), 1 left sleeve, 2 right sleeve (see the header). */
function sleeveParts(p: GarmentPlanes, person: PersonAnalysis, sk: Skeleton, lm: FoundLandmarks, bottom: 'top_hem' | 'hemline', ends: Record<Side, number>): Uint8Array {
  const { box } = p;
  const parts = new Uint8Array(box.width * box.height);
  const reach = SLEEVE_REACH * sk.sw;
  const centre = (lm.shoulder_left!.x + lm.shoulder_right!.x) / 2;
  for (const side of SIDES) {
    const line = [lm[`shoulder_${side}`], lm[`armpit_${side}`], lm[`${bottom}_${side}`]];
    if (ends[side] < 0.15 || line.some((q) => !q)) continue;
    const sign = Math.sign(line[0]!.x - centre) || (side === 'left' ? 1 : -1);
    const [j, e, w] = [sk.joint('shoulder', side), sk.joint('elbow', side), sk.joint('wrist', side)];
    const arm = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
    for (let y = 0; y < box.height; y++) {
      const py = box.y + y + 0.5;
      const x0 = seamX(line as Point[], py);
      const below = py > line[1]!.y;
      for (let x = 0; x < box.width; x++) {
        const k = y * box.width + x;
        const px = box.x + x + 0.5;
        if (!p.alpha[k] || (px - x0) * sign <= 0 || (below && !onArm(person, px, py, arm))) continue;
        const d2 = Math.min(project(px, py, j, e).d2, project(px, py, e, w).d2);
        if (d2 <= reach * reach && armT(sk, side, px, py) <= ends[side] + 0.1) parts[k] = side === 'left' ? 1 : 2;
      }
    }
  }
  return parts;
}

/** Bilinear read of the sleeve's premultiplied colour and alpha at a crop point (only its own part's pixels). */
function sample(p: GarmentPlanes, parts: Uint8Array, part: number, x: number, y: number): [number, number, number, number] {
  const { width: w, height: h } = p.box;
  const x0 = Math.floor(x - 0.5);
  const y0 = Math.floor(y - 0.5);
  const fx = x - 0.5 - x0;
  const fy = y - 0.5 - y0;
  const acc: [number, number, number, number] = [0, 0, 0, 0];
  for (const [dx, dy, wt] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]]) {
    const xx = x0 + dx;
    const yy = y0 + dy;
    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
    const k = yy * w + xx;
    if (parts[k] !== part) continue;
    const a = (p.alpha[k] / 255) * wt;
    for (let c = 0; c < 3; c++) acc[c] += p.rgb[k * 3 + c] * a;
    acc[3] += a;
  }
  return acc;
}

/** Lays the sleeves out (see the header); the landmarks on a sleeve (its cuffs) move with it. */
export function flattenSleeves(p: GarmentPlanes, person: PersonAnalysis, sk: Skeleton, lm: FoundLandmarks, bottom: 'top_hem' | 'hemline', ends: Record<Side, number>): { planes: GarmentPlanes; landmarks: FoundLandmarks } {
  if (!lm.shoulder_left || !lm.shoulder_right) return { planes: p, landmarks: lm };
  const parts = sleeveParts(p, person, sk, lm, bottom, ends);
  const poses = SIDES.filter((s) => ends[s] >= 0.15 && lm[`armpit_${s}`]).map((s) => poseOf(sk, s, lm[`shoulder_${s}`]!, lm[`armpit_${s}`]!, ends[s] > 1));
  if (poses.length === 0) return { planes: p, landmarks: lm };
  const weightAt = (side: Side, x: number, y: number): number => Math.min(1, Math.max(0, (armT(sk, side, x, y) - 0.9) / 0.2));
  const areas = poses.map((pose) => sleeveBox(p, parts, pose, weightAt));
  const box = areas.reduce<Box>((b, a) => (a ? union(b, a) : b), p.box);
  const { width: W, height: H } = box;
  const rgb = new Uint8Array(W * H * 3);
  const alpha = new Uint8Array(W * H);
  // The torso, where it was.
  for (let y = 0; y < p.box.height; y++) {
    for (let x = 0; x < p.box.width; x++) {
      const k = y * p.box.width + x;
      if (!p.alpha[k] || parts[k]) continue;
      const o = (p.box.y + y - box.y) * W + (p.box.x + x - box.x);
      alpha[o] = p.alpha[k];
      for (let c = 0; c < 3; c++) rgb[o * 3 + c] = p.rgb[k * 3 + c];
    }
  }
  poses.forEach((pose, i) => {
    if (areas[i]) drawSleeve(p, parts, pose, areas[i]!, { box, rgb, alpha });
  });
  const moved: FoundLandmarks = { ...lm };
  for (const pose of poses) {
    for (const name of [`cuff_${pose.side}_in`, `cuff_${pose.side}_out`] as const) {
      const c = lm[name];
      if (c) moved[name] = forward(pose, c, weightAt(pose.side, c.x, c.y));
    }
  }
  return { planes: { box, rgb, alpha }, landmarks: moved };
}

/** The box a laid-out sleeve covers (photo pixels); null when the sleeve has no pixels. */
function sleeveBox(p: GarmentPlanes, parts: Uint8Array, pose: SleevePose, weightAt: (side: Side, x: number, y: number) => number): Box | null {
  const part = pose.side === 'left' ? 1 : 2;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < p.box.height; y += 2) {
    for (let x = 0; x < p.box.width; x += 2) {
      if (parts[y * p.box.width + x] !== part) continue;
      const src = { x: p.box.x + x + 0.5, y: p.box.y + y + 0.5 };
      const q = forward(pose, src, weightAt(pose.side, src.x, src.y));
      x0 = Math.min(x0, q.x - 4);
      y0 = Math.min(y0, q.y - 4);
      x1 = Math.max(x1, q.x + 4);
      y1 = Math.max(y1, q.y + 4);
    }
  }
  if (x1 < x0) return null;
  return { x: Math.floor(x0), y: Math.floor(y0), width: Math.ceil(x1) - Math.floor(x0), height: Math.ceil(y1) - Math.floor(y0) };
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Draws a laid-out sleeve over `out` within `area` (straight colour, "over"). */
function drawSleeve(p: GarmentPlanes, parts: Uint8Array, pose: SleevePose, area: Box, out: GarmentPlanes): void {
  const part = pose.side === 'left' ? 1 : 2;
  const { box, rgb, alpha } = out;
  for (let y = area.y - box.y; y < area.y + area.height - box.y; y++) {
    for (let x = area.x - box.x; x < area.x + area.width - box.x; x++) {
      const q = { x: box.x + x + 0.5, y: box.y + y + 0.5 };
      const src = backward(pose, q);
      const s = sample(p, parts, part, src.x - p.box.x, src.y - p.box.y);
      if (s[3] <= 1e-3) continue;
      const k = y * box.width + x;
      const under = alpha[k] / 255;
      const a = s[3] + under * (1 - s[3]);
      for (let c = 0; c < 3; c++) rgb[k * 3 + c] = Math.round((s[c] + rgb[k * 3 + c] * under * (1 - s[3])) / a);
      alpha[k] = Math.round(a * 255);
    }
  }
}
