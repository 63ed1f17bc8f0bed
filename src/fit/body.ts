/**
 * Body measurements the fit needs, read from the pose keypoints and the parsing map:
 * the body axis, the torso's width at any row, an arm's or leg's width at a point.
 * Keypoints give where things are; the parsing gives how wide they are, so a broad
 * person gets a broad shirt even when the shoulder keypoints sit close together.
 */
import { LABEL, type Keypoint, type KeypointName, type PersonAnalysis, type Point } from '../types.ts';
import { withUnseenLegs } from '../person/legs.ts';

export const add = (a: Point, b: Point): Point => ({ x: a.x + b.x, y: a.y + b.y });
export const sub = (a: Point, b: Point): Point => ({ x: a.x - b.x, y: a.y - b.y });
export const scale = (a: Point, k: number): Point => ({ x: a.x * k, y: a.y * k });
export const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const mid = (a: Point, b: Point): Point => lerp(a, b, 0.5);
export function unit(a: Point): Point {
  const n = Math.hypot(a.x, a.y) || 1;
  return { x: a.x / n, y: a.y / n };
}

export type Side = 'left' | 'right';
export const SIDES: readonly Side[] = ['left', 'right'];

const TORSO_LABELS = new Set<number>([LABEL.upper_clothes, LABEL.lower_clothes, LABEL.torso_skin, LABEL.neck]);
const PASS_LABELS = new Set<number>([LABEL.left_arm, LABEL.right_arm, LABEL.hands, LABEL.hair]);

export class Body {
  readonly person: PersonAnalysis;
  readonly shoulder: Record<Side, Point>;
  readonly hip: Record<Side, Point>;
  readonly elbow: Record<Side, Point>;
  readonly wrist: Record<Side, Point>;
  readonly knee: Record<Side, Point>;
  readonly ankle: Record<Side, Point>;
  /** Shoulder keypoint distance: the scale unit of every fallback. */
  readonly shoulderWidth: number;
  /** Shoulder midpoint to hip midpoint. */
  readonly torsoLength: number;
  readonly shoulderMid: Point;
  readonly hipMid: Point;
  /** Unit vector down the body (shoulders to hips). */
  readonly down: Point;
  /** Unit vector towards the wearer's left (image right in a front view). */
  readonly toLeft: Point;

  constructor(person: PersonAnalysis) {
    this.person = person;
    const keypoints = withUnseenLegs(person.keypoints);
    const kp = (n: KeypointName): Keypoint => {
      const k = keypoints.find((p) => p.name === n);
      if (!k) throw new Error(`keypoint ${n} missing`);
      return k;
    };
    const pt = (n: KeypointName): Point => ({ x: kp(n).x, y: kp(n).y });
    const pair = (base: string): Record<Side, Point> => ({
      left: pt(`left_${base}` as KeypointName),
      right: pt(`right_${base}` as KeypointName),
    });
    this.shoulder = pair('shoulder');
    this.hip = pair('hip');
    this.elbow = pair('elbow');
    this.wrist = pair('wrist');
    this.knee = pair('knee');
    this.ankle = pair('ankle');
    this.shoulderMid = mid(this.shoulder.left, this.shoulder.right);
    this.hipMid = mid(this.hip.left, this.hip.right);
    this.shoulderWidth = Math.max(dist(this.shoulder.left, this.shoulder.right), 0.05 * person.height);
    this.torsoLength = Math.max(dist(this.shoulderMid, this.hipMid), 0.8 * this.shoulderWidth);
    this.down = unit(sub(this.hipMid, this.shoulderMid));
    if (this.down.y < 0.5) this.down = { x: 0, y: 1 }; // lying or upside down: assume upright
    // Perpendicular to down, pointing at the left shoulder.
    const perp = { x: -this.down.y, y: this.down.x };
    const towardsLeft = sub(this.shoulder.left, this.shoulder.right);
    this.toLeft = perp.x * towardsLeft.x + perp.y * towardsLeft.y >= 0 ? perp : scale(perp, -1);
  }

  /** Sign of x towards a side: +1 when that side is at larger image x. */
  sideSign(side: Side): number {
    return side === 'left' ? Math.sign(this.toLeft.x) || 1 : -(Math.sign(this.toLeft.x) || 1);
  }

  /**
   * The body's centre line at image row y: through the shoulder and hip midpoints, then on
   * to the knees' midpoint when the knees are seen (a leaning torso extrapolated down would
   * walk a skirt off sideways), else straight down from the hips.
   */
  centreAt(y: number): number {
    if (y > this.hipMid.y) {
      const kneeMid = mid(this.knee.left, this.knee.right);
      const seen = Math.min(this.score('left_knee'), this.score('right_knee')) >= 0.5;
      const dy = kneeMid.y - this.hipMid.y;
      if (!seen || dy < 1) return this.hipMid.x;
      const t = Math.min((y - this.hipMid.y) / dy, 1.5);
      return this.hipMid.x + (kneeMid.x - this.hipMid.x) * t;
    }
    const dy = this.hipMid.y - this.shoulderMid.y;
    const t = Math.abs(dy) < 1 ? 0 : (y - this.shoulderMid.y) / dy;
    return this.shoulderMid.x + (this.hipMid.x - this.shoulderMid.x) * t;
  }

  /** A keypoint's visibility score (0 when missing). */
  score(name: KeypointName): number {
    return this.person.keypoints.find((k) => k.name === name)?.score ?? 0;
  }

  private label(x: number, y: number): number {
    const p = this.person.parsing;
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= p.width || yi >= p.height) return LABEL.background;
    return p.data[yi * p.width + xi];
  }

  /**
   * Distance from the centre line to the torso's edge on one side at row y, from the parsing:
   * arms, hands and hair in front of the torso are stepped over; the scan stops at the
   * background. Null when the row has no torso there.
   */
  torsoHalfWidth(y: number, side: Side, labels: ReadonlySet<number> = TORSO_LABELS): number | null {
    const cx = this.centreAt(y);
    const dir = this.sideSign(side);
    const max = 1.6 * this.shoulderWidth;
    let last = -1;
    let gap = 0;
    for (let d = 0; d < max; d++) {
      const l = this.label(cx + dir * d, y);
      if (labels.has(l)) {
        last = d;
        gap = 0;
      } else if (PASS_LABELS.has(l)) {
        gap = 0;
      } else if (++gap > 3) {
        break;
      }
    }
    return last > 0.1 * this.shoulderWidth ? last : null;
  }

  /** Torso half-width on a side at row y, averaged over a few rows, with a keypoint fallback. */
  halfWidthAt(y: number, side: Side, fallback: number, labels?: ReadonlySet<number>): number {
    const vals: number[] = [];
    const step = Math.max(1, Math.round(this.shoulderWidth * 0.02));
    for (let k = -2; k <= 2; k++) {
      const v = this.torsoHalfWidth(y + k * step, side, labels);
      if (v !== null) vals.push(v);
    }
    if (vals.length < 2) return fallback;
    vals.sort((a, b) => a - b);
    const median = vals[Math.floor(vals.length / 2)];
    // A parsing that disagrees wildly with the skeleton is more likely wrong than the skeleton.
    return Math.min(Math.max(median, 0.6 * fallback), 1.8 * fallback);
  }

  /**
   * Half-width of a limb (labels) across the segment a->b at fraction t, scanning both
   * ways perpendicular to it; `fallback` when the parsing has nothing there.
   */
  limbHalfWidth(a: Point, b: Point, t: number, labels: ReadonlySet<number>, fallback: number): number {
    const c = lerp(a, b, t);
    const d = unit(sub(b, a));
    const n = { x: -d.y, y: d.x };
    const max = 1.5 * fallback + 4;
    const reach = (sign: number): number => {
      let last = 0;
      let gap = 0;
      for (let s = 0; s < max; s++) {
        const l = this.label(c.x + n.x * s * sign, c.y + n.y * s * sign);
        if (labels.has(l)) {
          last = s;
          gap = 0;
        } else if (++gap > 2) break;
      }
      return last;
    };
    const w = (reach(1) + reach(-1)) / 2;
    if (w < 0.3 * fallback) return fallback;
    return Math.min(w, 1.6 * fallback);
  }

  /** Mean z of keypoints (BlazePose depth, smaller = nearer the camera). */
  depth(...names: KeypointName[]): number {
    let s = 0;
    for (const n of names) s += this.person.keypoints.find((k) => k.name === n)?.z ?? 0;
    return s / names.length;
  }
}

export const ARM_LABELS: Record<Side, ReadonlySet<number>> = {
  left: new Set([LABEL.left_arm]),
  right: new Set([LABEL.right_arm]),
};
export const LEG_LABELS: ReadonlySet<number> = new Set([LABEL.lower_clothes, LABEL.legs]);
/** Bare legs only: a leg's own width, where old trousers would give theirs. */
export const BARE_LEG_LABELS: ReadonlySet<number> = new Set([LABEL.legs]);
export const UPPER_TORSO_LABELS: ReadonlySet<number> = TORSO_LABELS;
