/**
 * The body under the clothes: tapered capsules along the arms' and legs' bones, a column for
 * the neck and a torso between the shoulders and the hips, each with the surface normal a
 * rounded body has there (for shading). Limb widths come from the person's own visible skin
 * (forearms, hands, bare legs) scaled onto average proportions, never from a sleeve's or a
 * trouser leg's width; the torso follows the photo's silhouette where the clothes are tight
 * and average proportions where they are loose.
 */
import { LABEL, type Box, type PersonAnalysis, type Point } from '../types.ts';
import { dist, lerp, project, SIDES, type Side, type Skeleton } from './skeleton.ts';

/** Body parts of the shape, front to back: where two overlap the earlier one is seen. */
export const PART = {
  none: 0,
  leftForearm: 1,
  rightForearm: 2,
  leftUpperArm: 3,
  rightUpperArm: 4,
  leftShoulder: 5,
  rightShoulder: 6,
  torso: 7,
  neck: 8,
  leftThigh: 9,
  rightThigh: 10,
  leftShin: 11,
  rightShin: 12,
} as const;

/** A bone with a radius that changes linearly along it (a cone with round ends). */
export interface TaperedLimb {
  part: number;
  a: Point;
  b: Point;
  ra: number;
  rb: number;
}

/**
 * Average radii in shoulder widths at the two ends of each segment, from the shared
 * photographs' bare arms and legs (upper arm 0.11 mid-way, forearm 0.125 at the elbow to 0.075
 * at the wrist) and the usual body proportions for the legs.
 */
const PROFILE = {
  upperArm: [0.125, 0.1],
  forearm: [0.11, 0.07],
  thigh: [0.25, 0.13],
  shin: [0.12, 0.065],
  neck: [0.17, 0.16],
} as const;

/** How far (shoulder widths) each thigh reaches past the body's midline at the hip joints. */
const THIGH_OVERLAP = 0.06;

/** How far (shoulder widths) the forearm runs on past the wrist joint, which BlazePose marks above the hand. */
const WRIST_RUN = 0.1;

/** How far a measured width may scale the average one: a slim or a strong person, not a sleeve. */
const SCALE_RANGE = [0.75, 1.35] as const;

/**
 * A limb's visible width against its profile: at fractions along the bone where the limb's
 * label spans only skin, half the span over the profile radius; the median over the bone, or
 * null when fewer than three fractions show bare skin.
 */
function measuredScale(person: PersonAnalysis, a: Point, b: Point, profile: readonly [number, number], sw: number, label: number): number | null {
  const len = dist(a, b);
  if (len < 4) return null;
  const ux = (b.x - a.x) / len;
  const uy = (b.y - a.y) / len;
  const ratios: number[] = [];
  for (let t = 0.15; t < 0.9; t += 0.1) {
    const cx = a.x + ux * len * t;
    const cy = a.y + uy * len * t;
    const r0 = profile[0] + (profile[1] - profile[0]) * t;
    // The run of the limb's label through the bone, out to both sides (2-px gaps bridged):
    // only the limb itself, not a hand hanging beside a thigh with the same label.
    let span = 0;
    let skin = 0;
    for (const dir of [1, -1]) {
      let gap = 0;
      for (let d = dir > 0 ? 0 : 1; d <= 0.45 * sw; d++) {
        const x = Math.round(cx - uy * d * dir);
        const y = Math.round(cy + ux * d * dir);
        if (x < 0 || y < 0 || x >= person.width || y >= person.height) break;
        const i = y * person.width + x;
        if (person.parsing.data[i] !== label) {
          if (++gap > 2) break;
          continue;
        }
        span += 1 + gap;
        gap = 0;
        if (person.skin.data[i] >= 128) skin++;
      }
    }
    if (span > 4 && skin >= 0.85 * span) ratios.push(span / 2 / (r0 * sw));
  }
  if (ratios.length < 3) return null;
  ratios.sort((p, q) => p - q);
  return ratios[ratios.length >> 1];
}

const clampScale = (s: number): number => Math.min(Math.max(s, SCALE_RANGE[0]), SCALE_RANGE[1]);

/** The limbs with their radii: measured per arm or leg, else the other side's, else average. */
export function limbs(person: PersonAnalysis, sk: Skeleton): TaperedLimb[] {
  const sw = sk.sw;
  const scaleOf = (pairs: { a: Point; b: Point; profile: readonly [number, number]; label: number }[]): number | null => {
    const s = pairs.map((p) => measuredScale(person, p.a, p.b, p.profile, sw, p.label)).filter((v): v is number => v !== null);
    return s.length ? s.reduce((x, y) => x + y, 0) / s.length : null;
  };
  const arm = (side: Side): number | null => {
    const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
    return scaleOf([
      { a: sk.joint('shoulder', side), b: sk.joint('elbow', side), profile: PROFILE.upperArm, label },
      { a: sk.joint('elbow', side), b: sk.joint('wrist', side), profile: PROFILE.forearm, label },
    ]);
  };
  const leg = (side: Side): number | null =>
    scaleOf([
      { a: sk.joint('hip', side), b: sk.joint('knee', side), profile: PROFILE.thigh, label: LABEL.legs },
      { a: sk.joint('knee', side), b: sk.joint('ankle', side), profile: PROFILE.shin, label: LABEL.legs },
    ]);
  const both = <T>(f: (s: Side) => number | null): Record<Side, number> => {
    const l = f('left');
    const r = f('right');
    return { left: clampScale(l ?? r ?? 1), right: clampScale(r ?? l ?? 1) };
  };
  const armScale = both(arm);
  const legScale = both(leg);
  const out: TaperedLimb[] = [];
  for (const side of SIDES) {
    const L = side === 'left';
    const seg = (part: number, from: Parameters<Skeleton['joint']>[0], to: Parameters<Skeleton['joint']>[0], profile: readonly [number, number], scale: number): TaperedLimb => ({
      part,
      a: sk.joint(from, side),
      b: sk.joint(to, side),
      ra: profile[0] * scale * sw,
      rb: profile[1] * scale * sw,
    });
    // The forearm runs on past the wrist joint into the hand: a cuff that hid the wrist is
    // skin down to where the hand shows, not backdrop between arm and hand.
    const forearm = seg(L ? PART.leftForearm : PART.rightForearm, 'elbow', 'wrist', PROFILE.forearm, armScale[side]);
    const reach = dist(forearm.a, forearm.b);
    if (reach > 1) forearm.b = { x: forearm.b.x + ((forearm.b.x - forearm.a.x) / reach) * WRIST_RUN * sw, y: forearm.b.y + ((forearm.b.y - forearm.a.y) / reach) * WRIST_RUN * sw };
    out.push(forearm);
    out.push(seg(L ? PART.leftUpperArm : PART.rightUpperArm, 'shoulder', 'elbow', PROFILE.upperArm, armScale[side]));
    // The shoulder's top, joint to neck (deltoid and trapezius): round across, as a shoulder is.
    out.push({ part: L ? PART.leftShoulder : PART.rightShoulder, a: sk.joint('shoulder', side), b: sk.neckBase, ra: 0.19 * sw, rb: 0.15 * sw });
    // Thighs meet below the crotch: at the hip joint each is at least as wide as half the joints'
    // distance (plus a little), or old wide trousers or a skirt leave backdrop between the legs.
    const thigh = seg(L ? PART.leftThigh : PART.rightThigh, 'hip', 'knee', PROFILE.thigh, legScale[side]);
    thigh.ra = Math.max(thigh.ra, 0.5 * dist(sk.joint('hip', 'left'), sk.joint('hip', 'right')) + THIGH_OVERLAP * sw);
    out.push(thigh);
    out.push(seg(L ? PART.leftShin : PART.rightShin, 'knee', 'ankle', PROFILE.shin, legScale[side]));
  }
  // The neck: from below the shoulder line up to the chin (or 0.45 shoulder widths).
  const top = sk.chin ?? { x: sk.neckBase.x - sk.down.x * 0.45 * sw, y: sk.neckBase.y - sk.down.y * 0.45 * sw };
  const base = { x: sk.neckBase.x + sk.down.x * 0.12 * sw, y: sk.neckBase.y + sk.down.y * 0.12 * sw };
  out.push({ part: PART.neck, a: base, b: top, ra: PROFILE.neck[0] * sw, rb: PROFILE.neck[1] * sw });
  return out;
}

/** Torso half-widths, per side, sampled along the spine. */
export interface TorsoShape {
  /** Spine from the shoulder line's midpoint, unit vector down it and the one towards the wearer's left. */
  origin: Point;
  down: Point;
  toLeft: Point;
  length: number;
  sw: number;
  /** Fractions along the spine of the samples (0 shoulder line, 1 hip line). */
  t: number[];
  left: number[];
  right: number[];
}

/** Sample fractions along the spine: above the shoulder line (the shoulders' slope) to below the hip line. */
const TORSO_T = [-0.3, -0.12, 0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0, 1.1, 1.2];

/**
 * How far above the shoulder line the torso reaches at a distance from the spine (both in
 * shoulder widths): the trapezius slope from the neck (0.35) to the shoulder tips (0.2).
 * BlazePose marks the shoulder joints, well below the shoulders' tops; generous, since the
 * photo's silhouette cuts it to the real shoulders.
 */
function shoulderTop(across: number): number {
  const q = Math.min(Math.abs(across) / 0.5, 1);
  return 0.35 - 0.15 * q * q;
}

/** Average torso half-width in shoulder widths at a spine fraction (hips from the hip joints). */
function torsoProfile(t: number, hipHalf: number): number {
  const chest = 0.44;
  const hips = Math.max(0.42, 1.75 * hipHalf);
  const waist = 0.42 * (chest + hips);
  if (t <= 0.3) return chest;
  if (t <= 0.6) return chest + ((waist - chest) * (t - 0.3)) / 0.3;
  if (t <= 1.0) return waist + ((hips - waist) * (t - 0.6)) / 0.4;
  return hips;
}

const TORSO_LABELS = new Set<number>([LABEL.upper_clothes, LABEL.lower_clothes, LABEL.torso_skin, LABEL.neck]);

/** The silhouette's half-width from the spine on one side at a point of it, stopping at arms and backdrop. */
function silhouetteHalfWidth(person: PersonAnalysis, c: Point, dir: Point, max: number): number {
  let last = 0;
  let gap = 0;
  for (let d = 0; d < max; d++) {
    const x = Math.round(c.x + dir.x * d);
    const y = Math.round(c.y + dir.y * d);
    if (x < 0 || y < 0 || x >= person.width || y >= person.height) break;
    const i = y * person.width + x;
    if (TORSO_LABELS.has(person.parsing.data[i]) && person.mask.data[i] >= 128) {
      last = d;
      gap = 0;
    } else if (++gap > 3) break;
  }
  return last;
}

export function torsoShape(person: PersonAnalysis, sk: Skeleton): TorsoShape {
  const sw = sk.sw;
  const down = sk.down;
  const perp = { x: -down.y, y: down.x };
  const towardsLeft = { x: sk.joint('shoulder', 'left').x - sk.joint('shoulder', 'right').x, y: sk.joint('shoulder', 'left').y - sk.joint('shoulder', 'right').y };
  const toLeft = perp.x * towardsLeft.x + perp.y * towardsLeft.y >= 0 ? perp : { x: -perp.x, y: -perp.y };
  const hipHalf = dist(sk.joint('hip', 'left'), sk.joint('hip', 'right')) / 2 / sw;
  const left: number[] = [];
  const right: number[] = [];
  for (const t of TORSO_T) {
    const c = { x: sk.shoulderMid.x + down.x * sk.torsoLength * t, y: sk.shoulderMid.y + down.y * sk.torsoLength * t };
    const want = torsoProfile(t, hipHalf) * sw;
    for (const [side, out] of [[1, left], [-1, right]] as const) {
      const seen = silhouetteHalfWidth(person, c, { x: toLeft.x * side, y: toLeft.y * side }, 1.2 * sw);
      // Tight clothes show the body: follow them. Loose ones do not: keep near the average.
      out.push(seen > 0.1 * sw ? Math.min(Math.max(seen, 0.85 * want), 1.08 * want) : want);
    }
  }
  return { origin: sk.shoulderMid, down, toLeft, length: sk.torsoLength, sw, t: TORSO_T, left: smooth(left), right: smooth(right) };
}

/** A 1-2-1 smoothing of a short profile (ends kept). */
function smooth(v: number[]): number[] {
  return v.map((x, i) => (i === 0 || i === v.length - 1 ? x : (v[i - 1] + 2 * x + v[i + 1]) / 4));
}

/** Linear interpolation in a sampled profile. */
function sample(ts: number[], vs: number[], t: number): number {
  if (t <= ts[0]) return vs[0];
  for (let i = 1; i < ts.length; i++) if (t <= ts[i]) return vs[i - 1] + ((vs[i] - vs[i - 1]) * (t - ts[i - 1])) / (ts[i] - ts[i - 1]);
  return vs[vs.length - 1];
}

/**
 * Groups of parts shaded as one rounded surface, front to back: each arm, then the trunk
 * (torso, shoulders, neck and legs). Within a group the joints blend (no capsule ends show);
 * where an arm passes in front of the trunk, its own outline darkens as a limb's does.
 */
export const GROUP = { none: 0, leftArm: 1, rightArm: 2, trunk: 3 } as const;
/** Bits of BodyRaster.member beyond the groups': the shoulder caps, where an arm grows out of the trunk. */
export const SHOULDER_BIT = { left: 1 << 3, right: 1 << 4 } as const;

function groupOfPart(part: number): number {
  if (part === PART.leftForearm || part === PART.leftUpperArm) return GROUP.leftArm;
  if (part === PART.rightForearm || part === PART.rightUpperArm) return GROUP.rightArm;
  return GROUP.trunk;
}

/** The body over a crop: each pixel's front-most group, and every group (and shoulder cap) that covers it. */
export interface BodyRaster {
  box: Box;
  /** GROUP id of the front-most group per pixel (0: no body). */
  front: Uint8Array;
  /** Bit (1 << (group - 1)) per group covering the pixel, and SHOULDER_BIT for the shoulder caps. */
  member: Uint8Array;
}

/** How far down the upper arm (0 shoulder, 1 elbow) the arm's top stays the trunk's: the deltoid. */
const DELTOID = 0.3;

/**
 * Rasterises the body over the crop (limbs as tapered capsules, the torso by its widths), all
 * of it whatever the category: which of it shows is the old garment's business, and a shape
 * cut at a category's edge would shade a false edge there.
 */
export function rasterBody(box: Box, limbList: TaperedLimb[], torso: TorsoShape): BodyRaster {
  const n = box.width * box.height;
  const out: BodyRaster = { box, front: new Uint8Array(n), member: new Uint8Array(n) };
  const trunkBit = 1 << (GROUP.trunk - 1);
  // Each limb's bounding box: most pixels are far from most limbs.
  const reach = limbList.map((l) => {
    const r = Math.max(l.ra, l.rb);
    return [Math.min(l.a.x, l.b.x) - r, Math.min(l.a.y, l.b.y) - r, Math.max(l.a.x, l.b.x) + r, Math.max(l.a.y, l.b.y) + r];
  });
  for (let y = 0; y < box.height; y++) {
    const py = box.y + y + 0.5;
    const rowLimbs = limbList.filter((_, i) => py >= reach[i][1] && py <= reach[i][3]);
    const rowReach = reach.filter((r) => py >= r[1] && py <= r[3]);
    for (let x = 0; x < box.width; x++) {
      const px = box.x + x + 0.5;
      let bits = insideTorso(px, py, torso) ? trunkBit : 0;
      let armFront = 0;
      for (let i = 0; i < rowLimbs.length; i++) {
        if (px < rowReach[i][0] || px > rowReach[i][2]) continue;
        const l = rowLimbs[i];
        const g = groupOfPart(l.part);
        const { t, d2 } = project(px, py, l.a, l.b);
        const r = l.ra + (l.rb - l.ra) * t;
        if (d2 >= r * r) continue;
        bits |= 1 << (g - 1);
        if (l.part === PART.leftShoulder) bits |= SHOULDER_BIT.left;
        if (l.part === PART.rightShoulder) bits |= SHOULDER_BIT.right;
        const upper = l.part === PART.leftUpperArm || l.part === PART.rightUpperArm;
        if (g !== GROUP.trunk && !armFront && (!upper || t >= DELTOID)) armFront = g;
      }
      if (!bits) continue;
      const k = y * box.width + x;
      out.member[k] = bits;
      out.front[k] = armFront || (bits & trunkBit ? GROUP.trunk : bits & 1 ? GROUP.leftArm : GROUP.rightArm);
    }
  }
  return out;
}

/** Whether a point is within the torso's span along the spine, its top and its widths. */
function insideTorso(px: number, py: number, torso: TorsoShape): boolean {
  const along = ((px - torso.origin.x) * torso.down.x + (py - torso.origin.y) * torso.down.y) / torso.length;
  if (along < torso.t[0] || along > torso.t[torso.t.length - 1]) return false;
  const across = (px - torso.origin.x) * torso.toLeft.x + (py - torso.origin.y) * torso.toLeft.y;
  if (along < 0 && -along * torso.length > shoulderTop(across / torso.sw) * torso.sw) return false;
  return Math.abs(across) < sample(torso.t, across >= 0 ? torso.left : torso.right, along);
}
