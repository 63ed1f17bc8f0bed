/**
 * Landmarks of a worn garment from the wearer's keypoints and the garment's mask (FashionAI
 * names, wearer's left/right), measured in the body's own frame (down the spine, across it):
 *
 * - upper: shoulders at the garment's top above the shoulder joints' tops (where the fit puts
 *   a garment's shoulders on a body), the neckline where the garment's top edge is highest
 *   beside the neck, the centre front at its top on the spine, armpits on the torso's edge at
 *   chest height, cuffs where the sleeve ends along each arm (the bare body's sleeve reading,
 *   src/bare/old-garment.ts sleeveEnd), in and out across the arm; hem corners at the bottom
 *   of the torso part.
 * - dress: the upper set, its "top hem" at the waist (the narrowest row below the armpits),
 *   the hemline at the bottom.
 * - lower: waistband at the top, crotch at the top of the gap between the legs, leg openings
 *   where the garment ends along each leg, in and out across it.
 */
import { LABEL, type FoundLandmarks, type GarmentCategory, type PersonAnalysis, type Point, type SleeveLength } from '../../types.ts';
import { armT } from '../../bare/old-garment.ts';
import { dist, lerp, type Side, SIDES, type Skeleton } from '../../bare/skeleton.ts';
import { Body } from '../../fit/body.ts';

/** The garment's mask over the cut's crop, read in photo pixels. */
export interface WornMask {
  /** 0/1 garment (seen or filled). */
  inside: Uint8Array;
  /** 0/1 garment seen (not filled). */
  seen: Uint8Array;
  x0: number;
  y0: number;
  width: number;
  height: number;
}

export interface WornShape {
  landmarks: FoundLandmarks;
  sleeve: SleeveLength;
  cropped: boolean;
  /** Lower garments: whether the legs are joined (a skirt) and whether they end above the knees. */
  skirt: boolean;
  shorts: boolean;
  /** Whether the garment runs out of the photo at its bottom edge (its length there is unknown). */
  cutByFrame: boolean;
}

const ARM = new Set<number>([LABEL.left_arm, LABEL.right_arm, LABEL.hands]);
/** What lies just above a neckline: the neck, skin, the face. */
const NECKISH = new Set<number>([LABEL.neck, LABEL.torso_skin, LABEL.face]);

/** The body's frame and the mask's lookups. */
class Frame {
  readonly W: number;
  readonly T: number;
  readonly toLeft: Point;
  /** The fit's reading of the same body: the garment's armpits sit where the fit puts a body's. */
  readonly body: Body;
  /** Whether the garment runs out of the photo at its bottom edge. */
  readonly cutByFrame: boolean;
  constructor(
    readonly m: WornMask,
    readonly person: PersonAnalysis,
    readonly sk: Skeleton,
    readonly ends: Record<Side, number>,
  ) {
    this.body = new Body(person);
    this.cutByFrame = m.y0 + m.height >= person.height && m.inside.subarray((m.height - 1) * m.width).some((v) => v === 1);
    this.W = sk.sw;
    this.T = sk.torsoLength;
    const perp = { x: -sk.down.y, y: sk.down.x };
    const ls = sk.joint('shoulder', 'left');
    const rs = sk.joint('shoulder', 'right');
    this.toLeft = perp.x * (ls.x - rs.x) + perp.y * (ls.y - rs.y) >= 0 ? perp : { x: -perp.x, y: -perp.y };
  }

  out(side: Side): Point {
    return side === 'left' ? this.toLeft : { x: -this.toLeft.x, y: -this.toLeft.y };
  }

  /** The spine point `t` torso lengths below the shoulder line's middle, moved `a` px towards `side`. */
  at(t: number, side: Side, a: number): Point {
    const o = this.out(side);
    const { shoulderMid: s, down } = this.sk;
    return { x: s.x + down.x * t * this.T + o.x * a, y: s.y + down.y * t * this.T + o.y * a };
  }

  private index(p: Point): number {
    const x = Math.round(p.x - 0.5) - this.m.x0;
    const y = Math.round(p.y - 0.5) - this.m.y0;
    return x < 0 || y < 0 || x >= this.m.width || y >= this.m.height ? -1 : y * this.m.width + x;
  }

  inside(p: Point): boolean {
    const k = this.index(p);
    return k >= 0 && this.m.inside[k] === 1;
  }

  /** The parsing's label at a photo point. */
  label(p: Point): number {
    const x = Math.min(this.person.width - 1, Math.max(0, Math.round(p.x - 0.5)));
    const y = Math.min(this.person.height - 1, Math.max(0, Math.round(p.y - 0.5)));
    return this.person.parsing.data[y * this.person.width + x];
  }

  /** The person's body there, neither this garment nor hair: the neck, skin, the face, another garment's label over skin. */
  bodyNotCloth(p: Point): boolean {
    if (this.inside(p)) return false;
    const l = this.label(p);
    if (NECKISH.has(l)) return true;
    const x = Math.min(this.person.width - 1, Math.max(0, Math.round(p.x - 0.5)));
    const y = Math.min(this.person.height - 1, Math.max(0, Math.round(p.y - 0.5)));
    return l !== LABEL.hair && l !== LABEL.background && this.person.mask.data[y * this.person.width + x] >= 128;
  }

  /** A sleeve pixel (seen garment on an arm's label, within its sleeve's length): not the torso's. */
  onSleeve(p: Point): boolean {
    const k = this.index(p);
    if (k < 0 || !this.m.seen[k]) return false;
    const l = this.label(p);
    if (!ARM.has(l)) return false;
    const side: Side = l === LABEL.right_arm ? 'right' : 'left';
    return this.ends[side] > 0 && armT(this.sk, side, p.x, p.y) <= this.ends[side] + 0.08;
  }

  /** First garment point walking from `from` along `dir` for at most `len` px; null when none. */
  first(from: Point, dir: Point, len: number): Point | null {
    for (let s = 0; s <= len; s++) {
      const p = { x: from.x + dir.x * s, y: from.y + dir.y * s };
      if (this.inside(p)) return p;
    }
    return null;
  }

  /**
   * Last garment point walking from `from` along `dir` through garment (gaps of 3 px bridged),
   * at most `len` px, stopping where `stop` says; `from` itself when it is not garment.
   */
  last(from: Point, dir: Point, len: number, stop: (p: Point) => boolean = () => false): Point {
    let last = from;
    let gap = 0;
    for (let s = 1; s <= len; s++) {
      const p = { x: from.x + dir.x * s, y: from.y + dir.y * s };
      if (stop(p)) break;
      if (this.inside(p)) {
        last = p;
        gap = 0;
      } else if (++gap > 3) break;
    }
    return last;
  }

  /** How far down the spine a point is, in torso lengths. */
  along(p: Point): number {
    const { shoulderMid: s, down } = this.sk;
    return ((p.x - s.x) * down.x + (p.y - s.y) * down.y) / this.T;
  }
}

const up = (f: Frame): Point => ({ x: -f.sk.down.x, y: -f.sk.down.y });
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

/** The garment's top at the column through `p` (body frame): searched from `above` px over it down to `below` px under it. */
function topAt(f: Frame, p: Point, above: number, below: number): Point | null {
  const u = up(f);
  return f.first({ x: p.x + u.x * above, y: p.y + u.y * above }, f.sk.down, above + below);
}

/** Shoulder points: the garment's top over the shoulder tips, or the nearest garment inward (a strap). */
function shoulderPoint(f: Frame, side: Side): Point {
  const { W } = f;
  const o = f.out(side);
  const j = f.sk.joint('shoulder', side);
  const u = up(f);
  const tip = { x: j.x + o.x * 0.06 * W + u.x * 0.14 * W, y: j.y + o.y * 0.06 * W + u.y * 0.14 * W };
  for (let a = 0; a <= 0.4 * W; a += Math.max(1, 0.02 * W)) {
    const top = topAt(f, { x: tip.x - o.x * a, y: tip.y - o.y * a }, 0.25 * W, 0.45 * W);
    if (top) return top;
  }
  return tip;
}

/**
 * The neckline point of a side: walking out from the spine along the garment's top edge, the
 * end of the run (begun within a fifth of a shoulder width of the spine, gaps of 3 px bridged)
 * of points with the body just above them (the neck, skin, the face: not hair, not backdrop); beyond it the top edge is the
 * shoulder's, with backdrop or hair above. Where the top edge then jumps up (a scoop or square
 * neck's steep side, seen from above as the strap's top), the corner is the jump's top.
 * Without such a run, the top edge above the neck's side.
 */
function necklinePoint(f: Frame, side: Side, shoulder: Point): Point {
  const { W } = f;
  const o = f.out(side);
  const reach = Math.max(0.1 * W, (shoulder.x - f.sk.shoulderMid.x) * o.x + (shoulder.y - f.sk.shoulderMid.y) * o.y - 0.05 * W);
  const u = up(f);
  const topOf = (a: number): Point | null => topAt(f, f.at(0, side, a), 0.6 * W, 0.6 * W);
  let best: Point | null = null;
  let bestA = 0;
  let gap = 0;
  for (let a = 0; a <= reach; a += 1) {
    const top = topOf(a);
    const neck = top !== null && [3, 5].some((d) => f.bodyNotCloth({ x: top.x + u.x * d, y: top.y + u.y * d }));
    if (neck) {
      best = top;
      bestA = a;
      gap = 0;
    } else if (best ? ++gap > 3 : a > 0.2 * W) break;
  }
  if (!best) return topOf(0.2 * W) ?? f.at(-0.1, side, 0.2 * W);
  for (let a = bestA + 1; a <= Math.min(reach, bestA + 6); a++) {
    const top = topOf(a);
    if (top && f.along(top) * f.T < f.along(best) * f.T - 3) best = top;
  }
  return best;
}

/** The armpit where the fit puts a body's: on the torso's edge (arms stepped over) at chest height, moved onto the garment. */
function armpitPoint(f: Frame, side: Side, t = 0.27): Point {
  const b = f.body;
  const y = b.shoulderMid.y + t * b.torsoLength;
  const half = b.halfWidthAt(y, side, 0.55 * b.shoulderWidth);
  const o = f.out(side);
  const p = { x: b.centreAt(y) + o.x * half, y: y + o.y * half };
  if (f.inside(p)) return p;
  return f.first(p, { x: -o.x, y: -o.y }, 0.3 * f.W) ?? p;
}

/**
 * The torso's edge at spine fraction t on a side, scanning out from the spine through the
 * garment; `blocked` when the scan ended on a sleeve (a sleeve hanging over the torso's side
 * hides where the torso ends).
 */
function torsoEdge(f: Frame, t: number, side: Side): { p: Point; blocked: boolean } {
  const spine = f.at(t, side, 0);
  const start = f.inside(spine) ? spine : (f.first(spine, f.out(side), 0.3 * f.W) ?? spine);
  let blocked = false;
  const p = f.last(start, f.out(side), 1.2 * f.W, (q) => (blocked = f.onSleeve(q)));
  return { p, blocked };
}

/**
 * Both edges of the torso at spine fraction t: where a sleeve hides one, it mirrors the other's
 * distance from the spine; where sleeves hide both, each keeps the armpit's.
 */
function torsoRow(f: Frame, t: number, armpits: Record<Side, Point>): Record<Side, Point> {
  const e = { left: torsoEdge(f, t, 'left'), right: torsoEdge(f, t, 'right') };
  const half = (side: Side, p: Point): number => (p.x - f.at(t, side, 0).x) * f.out(side).x + (p.y - f.at(t, side, 0).y) * f.out(side).y;
  const out = {} as Record<Side, Point>;
  for (const side of SIDES) {
    const other: Side = side === 'left' ? 'right' : 'left';
    if (!e[side].blocked) out[side] = e[side].p;
    else {
      const h = e[other].blocked ? half(side, armpits[side]) : half(other, e[other].p);
      out[side] = f.at(t, side, Math.max(h, half(side, e[side].p)));
    }
  }
  return out;
}

/** A point on an arm's bones at armT-like position t (0 shoulder, 1 elbow, 2 wrist), with the bone's lateral normal. */
function onArm(f: Frame, side: Side, t: number): { c: Point; n: Point } {
  const sh = f.sk.joint('shoulder', side);
  const el = f.sk.joint('elbow', side);
  const wr = f.sk.joint('wrist', side);
  const [a, b, s] = t < 1 ? [sh, el, t] : [el, wr, Math.min(t - 1, 1)];
  const len = dist(a, b) || 1;
  let n = { x: -(b.y - a.y) / len, y: (b.x - a.x) / len };
  const o = f.out(side);
  if (n.x * o.x + n.y * o.y < 0) n = { x: -n.x, y: -n.y };
  return { c: lerp(a, b, s), n };
}

function cuffs(f: Frame, side: Side, end: number, shoulder: Point, armpit: Point): [Point, Point] {
  if (end < 0.15) return [armpit, shoulder];
  const { c, n } = onArm(f, side, Math.max(0.1, end - 0.06));
  const reach = 0.35 * f.W;
  const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
  const offArm = (p: Point): boolean => {
    const i = Math.round(p.y - 0.5) * f.person.width + Math.round(p.x - 0.5);
    const l = f.person.parsing.data[i];
    return l !== label && l !== LABEL.hands;
  };
  const start = f.inside(c) ? c : (f.first(c, n, 0.1 * f.W) ?? c);
  const cuffOut = f.last(start, n, reach);
  // Inward the arm's capsule can run over the torso's side: no further than a loose sleeve's half-width.
  const cuffIn = f.last(start, { x: -n.x, y: -n.y }, 0.2 * f.W, offArm);
  return [cuffIn, cuffOut];
}

/** Along-spine fraction of the garment's bottom near the spine, from `from` down. */
function bottomNearSpine(f: Frame, from: number, spread: number): number {
  const ends: number[] = [];
  for (const side of SIDES) {
    for (let a = 0; a <= spread; a += 2) {
      const start = f.at(from, side, a);
      if (!f.inside(start)) continue;
      ends.push(f.along(f.last(start, f.sk.down, 3 * f.T)));
    }
  }
  return ends.length ? median(ends) : from;
}

/** The upper set (and a dress's waist and hemline). */
function upperShape(f: Frame, ends: Record<Side, number>, dress: boolean): WornShape {
  const lm: FoundLandmarks = {};
  for (const side of SIDES) {
    const shoulder = shoulderPoint(f, side);
    let armpit = armpitPoint(f, side);
    const [cuffIn, cuffOut] = cuffs(f, side, ends[side], shoulder, armpit);
    // A short sleeve on a hanging arm ends about level with the armpit, where a product photo's
    // sleeve has an underarm seam of a third of its length: the armpit goes up to give it one.
    if (ends[side] >= 0.15) {
      const len = dist(shoulder, lerp(cuffIn, cuffOut, 0.5));
      const t = Math.max(0.12, Math.min(0.27, f.along(cuffIn) - (0.3 * len) / f.T));
      if (t < 0.27) armpit = armpitPoint(f, side, t);
    }
    Object.assign(lm, {
      [`shoulder_${side}`]: shoulder,
      [`neckline_${side}`]: necklinePoint(f, side, shoulder),
      [`armpit_${side}`]: armpit,
      [`cuff_${side}_in`]: cuffIn,
      [`cuff_${side}_out`]: cuffOut,
    });
  }
  const neck = { x: (lm.neckline_left!.x + lm.neckline_right!.x) / 2, y: (lm.neckline_left!.y + lm.neckline_right!.y) / 2 };
  lm.center_front = topAt(f, f.at(0, 'left', 0), 0.6 * f.W, 0.9 * f.W) ?? { x: neck.x + f.sk.down.x * 0.1 * f.W, y: neck.y + f.sk.down.y * 0.1 * f.W };
  const hem = bottomNearSpine(f, 0.3, 0.25 * f.W);
  const armpits = { left: lm.armpit_left!, right: lm.armpit_right! };
  const rowAt = (t: number): Record<Side, Point> => torsoRow(f, t, armpits);
  if (dress) {
    const waist = narrowestRow(f, 0.35, 0.35 + 0.45 * (hem - 0.35));
    const w = rowAt(waist);
    const h = rowAt(hem - 0.01);
    Object.assign(lm, { top_hem_left: w.left, top_hem_right: w.right, hemline_left: h.left, hemline_right: h.right });
  } else {
    const h = rowAt(hem - 0.02);
    Object.assign(lm, { top_hem_left: h.left, top_hem_right: h.right });
  }
  const longest = Math.max(ends.left, ends.right);
  const sleeve: SleeveLength = longest < 0.15 ? 'none' : longest < 1.25 ? 'short' : 'long';
  // Cropped: the hem above the waist (a regular top reaches the hips), unless the hem meets
  // the lower garment (tucked in, or under a waistband).
  const cropped = !dress && hem < 0.8 && !tuckedIn(f, hem);
  return { landmarks: lm, sleeve, cropped, skirt: false, shorts: false, cutByFrame: f.cutByFrame };
}

/** Whether the lower garment lies right under the hem near the spine. */
function tuckedIn(f: Frame, hem: number): boolean {
  let lower = 0;
  let n = 0;
  for (const side of SIDES) {
    for (const a of [0, 0.1, 0.2]) {
      n++;
      if (f.label(f.at(hem + 0.04, side, a * f.W)) === LABEL.lower_clothes) lower++;
    }
  }
  return lower > n / 2;
}

/** The spine fraction between t0 and t1 where the torso part is narrowest (a dress's waist). */
function narrowestRow(f: Frame, t0: number, t1: number): number {
  let best = t0;
  let bestW = Infinity;
  for (let t = t0; t <= t1; t += 0.01) {
    const w = dist(torsoEdge(f, t, 'left').p, torsoEdge(f, t, 'right').p);
    if (w < bestW) {
      bestW = w;
      best = t;
    }
  }
  return best;
}

/** Waistband, crotch and leg openings. */
function lowerShape(f: Frame): WornShape {
  const lm: FoundLandmarks = {};
  const { W, T, sk } = f;
  // The waistband: the garment's top near the spine, searched from mid torso down.
  const tops: number[] = [];
  for (const side of SIDES) {
    for (let a = 0; a <= 0.2 * W; a += 2) {
      const top = f.first(f.at(0.3, side, a), sk.down, 1.5 * T);
      if (top) tops.push(f.along(top));
    }
  }
  // The waistband's row: the first below the top where the garment reaches out as far as the hips on both sides (a
  // top hanging over the waist leaves the garment's top ragged); its corners the garment's
  // outermost points there (a hand in a pocket may leave a gap in the row).
  const hips = dist(sk.joint('hip', 'left'), sk.joint('hip', 'right'));
  let waist = (tops.length ? median(tops) : 0.8) + 0.03;
  const reach = Math.max(0.8 * W, 1.5 * hips);
  const rowOf = (t: number): Record<Side, Point> => ({ left: outermost(f, t, 'left', reach), right: outermost(f, t, 'right', reach) });
  for (let t = waist; t < waist + 0.3; t += 0.01) {
    const row = rowOf(t);
    if (SIDES.every((side) => dist(row[side], f.at(t, side, 0)) >= 0.45 * hips)) {
      waist = t;
      break;
    }
  }
  const band = rowOf(waist);
  lm.waistband_left = band.left;
  lm.waistband_right = band.right;
  const hipMid = sk.hipMid;
  const kneeMid = lerp(sk.joint('knee', 'left'), sk.joint('knee', 'right'), 0.5);
  const legs = { left: legEnd(f, 'left'), right: legEnd(f, 'right') };
  const deepest = Math.max(legs.left.t, legs.right.t);
  // Between the legs, from a third of the thighs down to the garment's end: trousers show a
  // gap somewhere (if only at the ankles), a skirt none (or only near its hem: a slit). Legs
  // held together hide the gap, so without one only a garment ending above mid-shin and
  // inside the photo is read as a skirt. The crotch is the first gap's top, no lower than a
  // third of the way to the knees.
  const gap = firstGap(f, 0.3, deepest - 0.05);
  const skirt = gap === null ? deepest < 1.4 && !f.cutByFrame : deepest < gap + 0.3;
  lm.crotch = lerp(hipMid, kneeMid, skirt ? 0.22 : Math.min(gap!, 0.35));
  for (const side of SIDES) {
    const { n } = legs[side];
    // Start from the garment nearest the bone (a leg's cloth may hang off its bone's line).
    const c = f.inside(legs[side].c) ? legs[side].c : (f.first(legs[side].c, n, 0.2 * W) ?? f.first(legs[side].c, { x: -n.x, y: -n.y }, 0.2 * W) ?? legs[side].c);
    lm[`bottom_${side}_out`] = f.last(c, n, 0.6 * W);
    lm[`bottom_${side}_in`] = f.last(c, { x: -n.x, y: -n.y }, 0.6 * W, (p) => (p.x - hipMid.x) * f.toLeft.x * (side === 'left' ? 1 : -1) < 0);
  }
  return { landmarks: lm, sleeve: 'none', cropped: false, skirt, shorts: !skirt && !f.cutByFrame && deepest < 0.9, cutByFrame: f.cutByFrame };
}

/** The garment's outermost point on a side at spine fraction t, within `reach` px of the spine (the spine itself when none). */
function outermost(f: Frame, t: number, side: Side, reach: number): Point {
  const o = f.out(side);
  const spine = f.at(t, side, 0);
  for (let a = reach; a > 0; a -= 1) {
    const p = { x: spine.x + o.x * a, y: spine.y + o.y * a };
    if (f.inside(p)) return p;
  }
  return spine;
}

/** A point on a leg's bones at t (hip 0, knee 1, ankle 2). */
function onLeg(f: Frame, side: Side, t: number): Point {
  const hip = f.sk.joint('hip', side);
  const knee = f.sk.joint('knee', side);
  const ankle = f.sk.joint('ankle', side);
  return t < 1 ? lerp(hip, knee, t) : lerp(knee, ankle, Math.min(t - 1, 1));
}

/** The first t (as onLeg) between t0 and t1 where the point midway between the legs is not garment; null when none. */
function firstGap(f: Frame, t0: number, t1: number): number | null {
  for (let t = t0; t <= t1; t += 0.02) {
    if (!f.inside(lerp(onLeg(f, 'left', t), onLeg(f, 'right', t), 0.5))) return t;
  }
  return null;
}

/** Where the garment ends along a leg (hip 0, knee 1, ankle 2): the point a little above, its lateral normal, and t. */
function legEnd(f: Frame, side: Side): { c: Point; n: Point; t: number } {
  const hip = f.sk.joint('hip', side);
  const knee = f.sk.joint('knee', side);
  const ankle = f.sk.joint('ankle', side);
  const point = (t: number): { c: Point; n: Point } => {
    const [a, b, s] = t < 1 ? [hip, knee, t] : [knee, ankle, Math.min(t - 1, 1)];
    const len = dist(a, b) || 1;
    let n = { x: -(b.y - a.y) / len, y: (b.x - a.x) / len };
    const o = f.out(side);
    if (n.x * o.x + n.y * o.y < 0) n = { x: -n.x, y: -n.y };
    return { c: lerp(a, b, s), n };
  };
  // From where the garment starts on the leg (a top may hang over the hips) to where it ends.
  let end = 0;
  let started = false;
  for (let t = 0; t <= 2; t += 0.02) {
    const { c, n } = point(t);
    const near = [0, -0.06, 0.06].some((d) => f.inside({ x: c.x + n.x * d * f.W, y: c.y + n.y * d * f.W }));
    if (near) {
      started = true;
      end = t;
    } else if (started || t > 0.6) break;
  }
  const t = Math.max(0, end - 0.03);
  return { ...point(t), t: end };
}

/** Landmarks of a worn garment of `category` from its mask. */
export function wornShape(m: WornMask, person: PersonAnalysis, sk: Skeleton, category: GarmentCategory, sleeveEnds: Record<Side, number>): WornShape {
  const f = new Frame(m, person, sk, sleeveEnds);
  return category === 'lower' ? lowerShape(f) : upperShape(f, sleeveEnds, category === 'dress');
}
