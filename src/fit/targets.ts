/**
 * Where each garment landmark goes on the body. The result is a set of correspondences
 * (garment pixel <-> body pixel) for the garment's main part and one set per sleeve; the
 * warp (src/fit/warp.ts) turns them into thin-plate splines.
 *
 * Upper garments: neckline to the base of the neck, shoulders to the shoulder tips,
 * armpits and hem to the torso's edges (widths from the parsing, so the shirt follows the
 * body, not just the shoulder keypoints), cuffs along the arms (short sleeves stop about
 * mid upper arm, long ones at the wrists, through the elbow so bent arms bend the sleeve).
 * Lower: waistband to the waist, crotch between the hips, leg openings at the ankles (knees
 * for shorts) through the knees. Dress: the upper set plus the hemline at the knees or below.
 * Lengths keep the garment's own proportions (a crop top stays short) within limits.
 */
import { LABEL, type DressLandmarks, type GarmentAnalysis, type LowerLandmarks, type Point, type UpperLandmarks } from '../types.ts';
import { add, ARM_LABELS, BARE_LEG_LABELS, Body, dist, lerp, LEG_LABELS, mid, scale, SIDES, sub, unit, type Side } from './body.ts';
import { completeLower, completeUpper, maskSpan } from './landmarks.ts';
import type { SizeEase } from './sizes.ts';

export { completeLower, completeUpper, maskSpan };

export interface Correspondence {
  name: string;
  garment: Point;
  body: Point;
}

export interface SleevePlan {
  side: Side;
  pairs: Correspondence[];
  /** Body-space polyline along the arm (seam, elbow, cuff) and the sleeve's reach around it. */
  axis: Point[];
  radius: number;
}

export interface FitPlan {
  /** Correspondences of the garment's main part (torso, skirt, trouser legs). */
  main: Correspondence[];
  sleeves: SleevePlan[];
  /**
   * Garment-space polylines (shoulder, armpit, hem) that split each sleeve from the main
   * part: garment pixels beyond a side's polyline (away from the centre) belong to its sleeve.
   */
  seams: Partial<Record<Side, Point[]>>;
  /** Garment-space row below which a side has no sleeve (a little under its cuff). */
  sleeveBottom: Partial<Record<Side, number>>;
  /** Garment pixels per body pixel, roughly: how much the garment shrinks on the body. */
  scale: number;
}

/** The outward unit vector of a side (towards the wearer's left for 'left'). */
function out(body: Body, side: Side): Point {
  return side === 'left' ? body.toLeft : scale(body.toLeft, -1);
}

/** A point on the body's centre line at row y, moved `d` pixels out towards `side`. */
function atRow(body: Body, y: number, side: Side, d: number): Point {
  const o = out(body, side);
  return { x: body.centreAt(y) + o.x * d, y: y + o.y * d };
}

/** Signed x offset of garment point p from the garment's centre line, towards the side's sign. */
function garmentHalf(lm: UpperLandmarks, side: Side, p: Point): number {
  const l = lm.shoulder_left;
  const r = lm.shoulder_right;
  const c = (l.x + r.x) / 2;
  const sgn = Math.sign(l.x - r.x) || 1;
  return (p.x - c) * (side === 'left' ? sgn : -sgn);
}

const cap = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

interface UpperFrame {
  tip: Record<Side, Point>;
  armpit: Record<Side, Point>;
  /** Body pixels per garment pixel. */
  k: number;
}

function upperTargets(body: Body, g: GarmentAnalysis, lm: DressLandmarks, ease: SizeEase, main: Correspondence[]): UpperFrame {
  const W = body.shoulderWidth;
  const T = body.torsoLength;
  const grow = 1 + ease.width;
  const sm = body.shoulderMid;
  const gShoulderW = dist(lm.shoulder_left, lm.shoulder_right);

  // Shoulder tips: above and outside the joints; larger sizes drop the seam a little outwards.
  const tip = {} as Record<Side, Point>;
  for (const side of SIDES) {
    const o = out(body, side);
    // The keypoint is the joint; the seam sits on top of the shoulder.
    let p = add(add(body.shoulder[side], scale(o, 0.06 * W)), scale(body.down, -0.14 * W));
    // Where the silhouette shows the top of the shoulder higher than that (square or muscular
    // shoulders, a raised shoulder), the seam follows the silhouette, not a fixed offset.
    const top = silhouetteTop(body, add(body.shoulder[side], scale(o, 0.06 * W)), 0.3 * W);
    if (top) {
      const seam = add(top, scale(body.down, 0.02 * W));
      const above = (q: Point): number => -(q.x * body.down.x + q.y * body.down.y);
      if (above(seam) > above(p)) p = seam;
    }
    const fromC = sub(p, sm);
    tip[side] = add(sm, scale(fromC, 1 + ease.width * 0.5));
  }
  let k = dist(tip.left, tip.right) / Math.max(gShoulderW, 1);
  // The scale from the torso's width too: a halter or racer-back top has its "shoulders" near
  // the neck, and scaling by them alone would blow the garment up. The smaller scale wins:
  // widths never go below the body's (with ease) anyway.
  const gApY = (lm.armpit_left.y + lm.armpit_right.y) / 2;
  const gBottom = g.category === 'dress' ? Math.min(lm.top_hem_left.y, lm.hemline_left.y) : lm.top_hem_left.y;
  const gSpan = maskSpan(g, (lm.shoulder_left.x + lm.shoulder_right.x) / 2, gApY + 0.3 * (gBottom - gApY));
  if (gSpan && gSpan.r - gSpan.l > 0.2 * gShoulderW) {
    const bodyY = sm.y + 0.45 * T;
    const bodyW = (body.halfWidthAt(bodyY, 'left', 0.5 * W) + body.halfWidthAt(bodyY, 'right', 0.5 * W)) * grow + 0.06 * W;
    k = Math.min(k, (1.1 * bodyW) / (gSpan.r - gSpan.l));
  }

  // Neck base from the parsing's neck where it has one.
  const neckY = sm.y - 0.18 * W;
  const neckHalf = cap(
    (body.halfWidthAt(neckY, 'left', 0.19 * W, NECK) + body.halfWidthAt(neckY, 'right', 0.19 * W, NECK)) / 2,
    0.13 * W,
    0.3 * W,
  );
  const gNeckHalf = dist(lm.neckline_left, lm.neckline_right) / 2;
  // A wide neckline (boat neck, off-shoulder) stays wider than the neck.
  const neckTarget = Math.max(neckHalf * 1.08, gNeckHalf * k * 0.9);
  for (const side of SIDES) {
    main.push({ name: `neckline_${side}`, garment: lm[`neckline_${side}`], body: neckPoint(body, atRow(body, sm.y - 0.19 * W + (neckTarget - neckHalf) * 0.4, side, neckTarget), tip) });
    // Straps and halters much narrower than the shoulders stay where the garment puts them.
    const gHalf = garmentHalf(lm, side, lm[`shoulder_${side}`]) * k;
    const bHalf = dist(tip[side], atRow(body, tip[side].y, side, 0));
    if (gHalf < 0.75 * bHalf) tip[side] = atRow(body, tip[side].y, side, Math.max(gHalf, 0.2 * W));
    main.push({ name: `shoulder_${side}`, garment: lm[`shoulder_${side}`], body: tip[side] });
  }
  shoulderSlope(body, g, lm, tip, main);
  // The neckline's depth keeps the garment's own proportions (similarity from its two ends).
  const depth = dist(lm.center_front, mid(lm.neckline_left, lm.neckline_right));
  if (depth > 0.03 * gShoulderW) {
    const bl = main.find((c) => c.name === 'neckline_left')!.body;
    const br = main.find((c) => c.name === 'neckline_right')!.body;
    main.push({ name: 'center_front', garment: lm.center_front, body: add(mid(bl, br), scale(body.down, depth * k)) });
  }

  // Armpits at chest level on the torso's edge.
  const armpitY = sm.y + 0.27 * T;
  const armpit = {} as Record<Side, Point>;
  for (const side of SIDES) {
    const half = body.halfWidthAt(armpitY, side, 0.55 * W);
    const gHalf = garmentHalf(lm, side, lm[`armpit_${side}`]) * k;
    armpit[side] = atRow(body, armpitY, side, Math.max(half * grow + 0.03 * W, gHalf * 0.85 * grow));
    main.push({ name: `armpit_${side}`, garment: lm[`armpit_${side}`], body: armpit[side] });
  }
  return { tip, armpit, k };
}

const NECK = new Set<number>([3]);

/** Labels above the shoulders. line: hair, the face, the neck and the backdrop. */
const NOT_SHOULDER = new Set<number>([LABEL.background, LABEL.hair, LABEL.face, LABEL.neck]);

/**
 * The top of the body under a point: walking down the body axis from `reach` above it, the
 * first pixel of the person that is not hair, face or backdrop; null when there is none.
 */
function shoulderLineAt(body: Body, at: Point, reach: number): Point | null {
  const { parsing, mask } = body.person;
  for (let t = -reach; t <= 0.5 * reach; t += 1) {
    const q = add(at, scale(body.down, t));
    const x = Math.round(q.x);
    const y = Math.round(q.y);
    if (x < 0 || y < 0 || x >= parsing.width || y >= parsing.height) continue;
    const i = y * parsing.width + x;
    if (mask.data[i] >= 128 && !NOT_SHOULDER.has(parsing.data[i])) return q;
  }
  return null;
}

/** The top of the garment's mask in a column: its shoulder seam's line in a product photo. */
function garmentTopAt(g: GarmentAnalysis, x: number, from: number, to: number): number | null {
  const { data, width, height } = g.mask;
  const xi = Math.round(x);
  if (xi < 0 || xi >= width) return null;
  for (let y = Math.max(0, Math.floor(from)); y <= Math.min(height - 1, Math.ceil(to)); y++) if (data[y * width + xi] >= 128) return y;
  return null;
}

/**
 * A neckline point where the neck meets the shoulders: the body's top there (the trapezius),
 * moved from the proportional guess by at most 0.1 shoulder widths up or 0.12 down.
 */
function neckPoint(body: Body, guess: Point, tips: Record<Side, Point>): Point {
  const W = body.shoulderWidth;
  const along = (p: Point): number => (p.x - guess.x) * body.down.x + (p.y - guess.y) * body.down.y;
  const top = shoulderLineAt(body, guess, 0.3 * W);
  // Up by 0.1 shoulder widths at most: long hair the parsing called clothes, a scarf or a
  // high collar must not lift a crew neck up the neck. Never below the shoulder tips: the
  // neck is the shoulders' highest point.
  const off = top ? Math.min(Math.max(along(add(top, scale(body.down, 0.04 * W))), -0.1 * W), 0.12 * W) : 0;
  return add(guess, scale(body.down, Math.min(off, Math.min(along(tips.left), along(tips.right)) - 0.02 * W)));
}

/**
 * The shoulder seams along the shoulders' slope: between the neckline and the shoulder tip, the
 * garment's top edge goes to the body's top at the matching places (hair stepped over), so the
 * shirt slopes from the neck down to the shoulders instead of standing as a flat, boxy line.
 */
function shoulderSlope(body: Body, g: GarmentAnalysis, lm: UpperLandmarks, tip: Record<Side, Point>, main: Correspondence[]): void {
  const W = body.shoulderWidth;
  for (const side of SIDES) {
    const neck = main.find((c) => c.name === `neckline_${side}`);
    if (!neck) continue;
    for (const f of [0.35, 0.7]) {
      const gx = lerp(lm[`neckline_${side}`], lm[`shoulder_${side}`], f);
      const gTop = garmentTopAt(g, gx.x, Math.min(lm[`neckline_${side}`].y, lm[`shoulder_${side}`].y) - 0.5 * Math.abs(gx.x - lm[`neckline_${side}`].x) - 4, Math.max(lm[`neckline_${side}`].y, lm[`shoulder_${side}`].y) + 4);
      // Only where the garment's top there is its shoulder seam: near the line from the neckline
      // to the shoulder point (a halter's strap, a bow or a ruffle collar stands well off it).
      const seamLen = dist(lm[`neckline_${side}`], lm[`shoulder_${side}`]);
      if (gTop === null || Math.abs(gTop - gx.y) > 0.15 * seamLen) continue;
      const b = lerp(neck.body, tip[side], f);
      const top = shoulderLineAt(body, b, 0.35 * W);
      if (!top) continue;
      // On the shoulder, a little below the silhouette's edge (the seam lies on it, not above it).
      const seat = add(top, scale(body.down, 0.02 * W));
      // Never above the line from the neckline to the tip by much: a raised collar or a bag strap
      // is not the shoulder.
      const line = b;
      const above = -((seat.x - line.x) * body.down.x + (seat.y - line.y) * body.down.y);
      const target = above > 0.12 * W ? add(line, scale(body.down, -0.12 * W)) : seat;
      main.push({ name: `shoulder_${side}_${Math.round(f * 100)}`, garment: { x: gx.x, y: gTop }, body: target });
    }
  }
}

function hemRow(g: GarmentAnalysis, lm: UpperLandmarks, k: number, ease: SizeEase, from: number, lo: number, hi: number, hem: Point): number {
  const gShoulderY = (lm.shoulder_left.y + lm.shoulder_right.y) / 2;
  // Flat garments measure longer than they hang: calibrated so a regular tee ends at the hips.
  const len = (hem.y - gShoulderY) * k * (g.category === 'dress' ? 0.9 : 0.75) * (1 + ease.length);
  return from + cap(len, lo, hi);
}

function upperHem(body: Body, g: GarmentAnalysis, lm: UpperLandmarks, ease: SizeEase, f: UpperFrame, main: Correspondence[]): void {
  const T = body.torsoLength;
  const W = body.shoulderWidth;
  const grow = 1 + ease.width;
  const sy = body.shoulderMid.y;
  const gHem = mid(lm.top_hem_left, lm.top_hem_right);
  // A regular top ends around the hips; a cropped one keeps its shortness; a tunic may go lower.
  // A regular top reaches over the trousers' waistband (where the parsing shows one).
  const waistband = naturalWaist(body) - sy + 0.12 * T;
  const lo = g.cropped ? 0.4 * T : Math.min(Math.max(0.85 * T, waistband), 1.35 * T);
  const hi = g.cropped ? 0.85 * T : Math.max(1.12 * T, lo);
  const hemY = hemRow(g, lm, f.k, ease, sy, lo * (1 + ease.length), hi * (1 + ease.length), gHem);
  sideSeams(body, g, lm, ease, f.k, main, (lm.top_hem_left.y + lm.top_hem_right.y) / 2, f.armpit.left.y, hemY);
  for (const side of SIDES) {
    const gh = lm[`top_hem_${side}`];
    const bodyHalf = body.halfWidthAt(hemY, side, 0.55 * W);
    let half = Math.max(bodyHalf * grow + 0.03 * W, garmentHalf(lm, side, gh) * f.k * 0.9 * grow);
    // The hem keeps the garment's own taper or flare below its last side point (an oval top
    // narrows, a peplum widens) instead of being pulled out to the hips.
    const last = main.find((c) => c.name === `side_${side}_85`);
    if (last) {
      const gSide = Math.abs(garmentHalf(lm, side, last.garment));
      const ratio = cap(garmentHalf(lm, side, gh) / Math.max(gSide, 1), 0.5, 1.6);
      half = dist(last.body, atRow(body, last.body.y, side, 0)) * ratio;
    }
    main.push({ name: `top_hem_${side}`, garment: gh, body: atRow(body, hemY, side, half) });
  }
  // The centre of the hem keeps the print's middle on the body's middle.
  main.push({ name: 'hem_centre', garment: gHem, body: atRow(body, hemY, 'left', 0) });
}

/**
 * The garment's own outline between the armpits' row and `gBottom` (the hem's or the hemline's):
 * at a few rows the mask's edges, scanned out from the centre line (so a sleeve hanging beside
 * the body is not taken for the side), go to the body's edges at the matching rows: a boxy
 * tee hangs straight, an oval or peplum top keeps part of its flare, and a bad landmark
 * elsewhere cannot balloon the sides.
 */
function sideSeams(
  body: Body,
  g: GarmentAnalysis,
  lm: UpperLandmarks,
  ease: SizeEase,
  k: number,
  main: Correspondence[],
  gBottom: number,
  bodyTop: number,
  bodyBottom: number,
  fractions = [0.3, 0.6, 0.85],
): void {
  const W = body.shoulderWidth;
  const grow = 1 + ease.width;
  const gTop = (lm.armpit_left.y + lm.armpit_right.y) / 2;
  const cx = (lm.armpit_left.x + lm.armpit_right.x) / 2;
  const sgn = Math.sign(lm.armpit_left.x - lm.armpit_right.x) || 1;
  for (const t of fractions) {
    const gy = gTop + (gBottom - gTop) * t;
    const span = maskSpan(g, cx, gy);
    if (!span) continue;
    const by = bodyTop + (bodyBottom - bodyTop) * t;
    for (const side of SIDES) {
      const gx = (side === 'left') === sgn > 0 ? span.r : span.l;
      const gp = { x: gx, y: gy };
      const half = Math.max(body.halfWidthAt(by, side, 0.5 * W) * grow + 0.03 * W, Math.abs(gx - cx) * k * 0.85 * grow);
      main.push({ name: `side_${side}_${Math.round(t * 100)}`, garment: gp, body: atRow(body, by, side, half) });
    }
  }
}

/** Sleeve correspondences along one arm: seam, (elbow,) cuff. */
function sleevePlan(body: Body, g: GarmentAnalysis, lm: UpperLandmarks, ease: SizeEase, f: UpperFrame, side: Side): SleevePlan {
  const W = body.shoulderWidth;
  const grow = 1 + ease.width;
  const sh = body.shoulder[side];
  const el = body.elbow[side];
  const wr = body.wrist[side];
  const a1 = Math.max(dist(sh, el), 0.3 * W);
  const a2 = Math.max(dist(el, wr), 0.3 * W);
  const gTip = lm[`shoulder_${side}`];
  const gPit = lm[`armpit_${side}`];
  const gOut = lm[`cuff_${side}_out`];
  const gIn = lm[`cuff_${side}_in`];
  const tip = f.tip[side];
  const pit = f.armpit[side];
  const seam = mid(tip, pit);

  // Sleeve length from the garment's proportions, clamped to what its sleeve type means.
  const gLen = dist(mid(gTip, gPit), mid(gOut, gIn)) * f.k * (1 + ease.sleeve);
  const len = g.sleeve === 'long'
    ? cap(gLen, 0.85 * (a1 + a2), 1.0 * (a1 + a2)) * (1 + ease.sleeve * 0.3)
    : cap(gLen, 0.35 * a1, 0.8 * a1);
  const onForearm = len > a1;
  const cuff = onForearm ? lerp(el, wr, Math.min((len - a1) / a2, 1.05)) : lerp(sh, el, len / a1);

  // Normals: rotate each segment by the same quarter turn, signed so "out" is the shoulder-tip side.
  const d1 = unit(sub(el, sh));
  const d2 = unit(sub(wr, el));
  const rot = (d: Point): Point => ({ x: -d.y, y: d.x });
  const sgn = Math.sign(rot(d1).x * (tip.x - pit.x) + rot(d1).y * (tip.y - pit.y)) || 1;
  const n1 = scale(rot(d1), sgn);
  const n2 = scale(rot(d2), sgn);
  const nCuff = onForearm ? n2 : n1;

  const arm = ARM_LABELS[side];
  const armHalf = onForearm
    ? body.limbHalfWidth(el, wr, cap((len - a1) / a2, 0, 1), arm, 0.1 * W)
    : body.limbHalfWidth(sh, el, len / a1, arm, 0.14 * W);
  const gCuffHalf = (dist(gOut, gIn) / 2) * f.k;
  const cuffHalf = cap(Math.max(armHalf * 1.15, gCuffHalf * 0.7), armHalf * 1.05, armHalf * 1.35) * grow;

  // In the arm's frame (u along the upper arm from the shoulder joint, v towards the tip side)
  // the sleeve must stay a tube or the spline folds: the armpit on the inner side, the inner
  // end of the cuff some way further down the arm than the armpit. On a hanging arm the
  // torso's armpit sits about level with a short sleeve's hem, so the cuff slopes down on the
  // inside (as a real tee's sleeve does) rather than the seam moving, which would open a gap
  // between sleeve and body.
  const uOf = (p: Point): number => (p.x - sh.x) * d1.x + (p.y - sh.y) * d1.y;
  const vOf = (p: Point): number => (p.x - sh.x) * n1.x + (p.y - sh.y) * n1.y;
  const topHalf = body.limbHalfWidth(sh, el, 0.25, arm, 0.13 * W);
  // A little inside the torso's armpit: the sleeve must also cover the arm where it overlaps
  // the body's side, or a sliver of the old top shows between sleeve and body.
  let sPit = add(pit, scale(out(body, side), -0.04 * W));
  if (vOf(sPit) > -0.5 * topHalf) sPit = add(sPit, scale(n1, -0.5 * topHalf - vOf(sPit)));
  let sTip = tip;
  if (vOf(sTip) < 0.5 * topHalf) sTip = add(sTip, scale(n1, 0.5 * topHalf - vOf(sTip)));
  let cuffIn = add(cuff, scale(nCuff, -cuffHalf));
  let cuffOut = add(cuff, scale(nCuff, cuffHalf));
  if (!onForearm) {
    const gap = 0.3 * Math.min(len, a1);
    if (uOf(cuffIn) < uOf(sPit) + gap) cuffIn = add(cuffIn, scale(d1, uOf(sPit) + gap - uOf(cuffIn)));
    if (uOf(cuffOut) < uOf(sTip) + gap) cuffOut = add(cuffOut, scale(d1, uOf(sTip) + gap - uOf(cuffOut)));
  }

  const pairs: Correspondence[] = [
    { name: `shoulder_${side}`, garment: gTip, body: sTip },
    { name: `armpit_${side}`, garment: gPit, body: sPit },
    { name: `cuff_${side}_out`, garment: gOut, body: cuffOut },
    { name: `cuff_${side}_in`, garment: gIn, body: cuffIn },
  ];
  const axis = [seam];
  if (onForearm) {
    // Through the elbow: the sleeve bends with the arm.
    const fe = cap(a1 / len, 0.2, 0.9);
    const nE = unit(add(n1, n2));
    const elHalf = cap(body.limbHalfWidth(sh, el, 0.98, arm, 0.12 * W) * 1.15, 0.8 * cuffHalf, 2.5 * cuffHalf) * grow;
    pairs.push({ name: `elbow_${side}_out`, garment: lerp(gTip, gOut, fe), body: add(el, scale(nE, elHalf)) });
    pairs.push({ name: `elbow_${side}_in`, garment: lerp(gPit, gIn, fe), body: add(el, scale(nE, -elHalf)) });
    axis.push(el);
  }
  axis.push(mid(cuffIn, cuffOut));
  return { side, pairs, axis, radius: Math.max(dist(tip, pit) / 2, cuffHalf) * 1.6 };
}

/**
 * The row where trousers start: the top of the parsing's lower clothes on the centre line
 * when it is plausible (from mid torso to a little below the hip keypoints), else a little
 * above the hips.
 */
function naturalWaist(body: Body): number {
  const T = body.torsoLength;
  const fallback = body.hipMid.y - 0.2 * T;
  const { data, width, height } = body.person.parsing;
  const y0 = Math.max(0, Math.round(body.hipMid.y - 0.6 * T));
  const y1 = Math.min(height - 1, Math.round(body.hipMid.y + 0.35 * T));
  for (let y = y0; y <= y1; y++) {
    const cx = Math.round(body.centreAt(y));
    let n = 0;
    for (let dx = -3; dx <= 3; dx++) {
      const x = cx + dx;
      if (x >= 0 && x < width && data[y * width + x] === LABEL.lower_clothes) n++;
    }
    // Low-rise trousers sit below the hip joints' keypoints on some bodies.
    if (n >= 4) return Math.min(Math.max(y, body.hipMid.y - 0.45 * T), body.hipMid.y + 0.3 * T);
  }
  return fallback;
}

/**
 * A trouser leg's outer and inner edge around centre c. Wide legs on legs close together would
 * put the inner edge past the middle, onto the other leg, and fold the spline: the pair then
 * shifts outwards, keeping its width.
 */
function legPair(body: Body, side: Side, c: Point, n: Point, half: number): [Point, Point] {
  let o = add(c, scale(n, half));
  let i = add(c, scale(n, -half));
  const mid = body.centreAt(i.y);
  const dir = body.sideSign(side);
  const gap = 0.03 * body.shoulderWidth;
  const over = gap - (i.x - mid) * dir;
  if (over > 0) {
    o = { x: o.x + over * dir, y: o.y };
    i = { x: i.x + over * dir, y: i.y };
  }
  return [o, i];
}

/**
 * Whether a lower garment is a skirt: by its type, or because its photo has no gap between
 * legs (the mask's centre column is solid from the crotch landmark to the hem).
 */
function isSkirt(g: GarmentAnalysis, lm: LowerLandmarks): boolean {
  if (g.type === 'skirt') return true;
  if (g.type !== 'trousers' && g.type !== 'jeans' && g.type !== 'shorts') return false;
  const cx = (lm.waistband_left.x + lm.waistband_right.x) / 2;
  const y0 = lm.crotch.y + 0.1 * (Math.max(lm.bottom_left_out.y, lm.bottom_right_out.y) - lm.crotch.y);
  const y1 = Math.max(lm.bottom_left_out.y, lm.bottom_right_out.y) - 2;
  let inside = 0;
  let n = 0;
  for (let y = Math.round(y0); y < y1; y += 2) {
    n++;
    if (g.mask.data[y * g.mask.width + Math.round(cx)] >= 128) inside++;
  }
  return n > 10 && inside >= 0.9 * n;
}

/**
 * The waistband's targets at the natural waist, the body's width there with the size's ease;
 * returns that row and the garment's scale there (body px per garment px).
 */
function waistband(body: Body, lm: LowerLandmarks, grow: number, main: Correspondence[]): { waistY: number; k: number } {
  const W = body.shoulderWidth;
  const waistY = naturalWaist(body);
  const halves = SIDES.map((side) => body.halfWidthAt(waistY, side, 0.5 * W));
  const k = ((halves[0] + halves[1]) * grow) / Math.max(dist(lm.waistband_left, lm.waistband_right), 1);
  SIDES.forEach((side, i) => {
    main.push({ name: `waistband_${side}`, garment: lm[`waistband_${side}`], body: atRow(body, waistY, side, halves[i] * grow + 0.02 * W) });
  });
  return { waistY, k };
}

/**
 * A skirt: the waistband at the waist, the hem at the skirt's own length (from the waist's
 * scale) no narrower than the hips, and its outline in between from its mask; no crotch and no
 * legs, which would pull its middle up into a hole.
 */
function skirtTargets(body: Body, g: GarmentAnalysis, lm: LowerLandmarks, ease: SizeEase, main: Correspondence[]): void {
  const W = body.shoulderWidth;
  const grow = 1 + ease.width;
  const { waistY, k } = waistband(body, lm, grow, main);
  const kneeY = (body.knee.left.y + body.knee.right.y) / 2;
  const ankleY = (body.ankle.left.y + body.ankle.right.y) / 2;
  const gWaistY = (lm.waistband_left.y + lm.waistband_right.y) / 2;
  const gHemY = (lm.bottom_left_out.y + lm.bottom_right_out.y) / 2;
  const len = cap((gHemY - gWaistY) * k * (1 + ease.length), 0.25 * (kneeY - waistY), Math.max(ankleY - waistY, 0.3 * W));
  const hemY = waistY + len;
  const cx = (lm.waistband_left.x + lm.waistband_right.x) / 2;
  const sgn = Math.sign(lm.waistband_left.x - lm.waistband_right.x) || 1;
  for (const t of [0.35, 0.7, 1]) {
    const gy = t === 1 ? gHemY - 1 : gWaistY + (gHemY - gWaistY) * t;
    const span = maskSpan(g, cx, gy);
    if (!span) continue;
    const by = waistY + len * t;
    for (const side of SIDES) {
      const gx = (side === 'left') === sgn > 0 ? span.r : span.l;
      const hips = body.halfWidthAt(Math.min(by, body.hipMid.y + 0.2 * W), side, 0.55 * W, LEG_LABELS);
      const half = Math.max(hips * grow + 0.03 * W, Math.abs(gx - cx) * k * grow);
      main.push({ name: t === 1 ? `bottom_${side}_out` : `side_${side}_${Math.round(t * 100)}`, garment: { x: gx, y: gy }, body: atRow(body, by, side, half) });
    }
  }
  main.push({ name: 'hem_centre', garment: { x: cx, y: gHemY - 1 }, body: atRow(body, hemY, 'left', 0) });
}

function lowerTargets(body: Body, g: GarmentAnalysis, lm: LowerLandmarks, ease: SizeEase, main: Correspondence[]): void {
  if (isSkirt(g, lm)) return skirtTargets(body, g, lm, ease, main);
  const W = body.shoulderWidth;
  const grow = 1 + ease.width;
  const thigh = (dist(body.hip.left, body.knee.left) + dist(body.hip.right, body.knee.right)) / 2;
  const shin = (dist(body.knee.left, body.ankle.left) + dist(body.knee.right, body.ankle.right)) / 2;
  const { waistY, k } = waistband(body, lm, grow, main);
  const crotch = add(body.hipMid, scale(body.down, 0.22 * thigh));
  main.push({ name: 'crotch', garment: lm.crotch, body: crotch });
  const shorts = g.type === 'shorts';
  for (const side of SIDES) {
    const gWaist = lm[`waistband_${side}`];
    const gOut = lm[`bottom_${side}_out`];
    const gIn = lm[`bottom_${side}_in`];
    const hip = body.hip[side];
    const knee = body.knee[side];
    const ankle = body.ankle[side];
    // Hip: the outer seam at crotch height.
    const tg = cap((lm.crotch.y - gWaist.y) / Math.max(gOut.y - gWaist.y, 1), 0.05, 0.6);
    // At most the silhouette's width there; no wider than the garment's own hips at the
    // waistband's scale (the silhouette there may be old wide trousers: ballooned hips).
    const gHip = lerp(gWaist, gOut, tg);
    const ownHalf = Math.abs(gHip.x - lm.crotch.x) * k * grow;
    const hipHalf = Math.min(body.halfWidthAt(crotch.y, side, 0.55 * W) * grow + 0.02 * W, Math.max(ownHalf, 0.4 * W));
    const bHip = atRow(body, crotch.y, side, hipHalf);
    main.push({ name: `hip_${side}`, garment: gHip, body: bHip });
    // Leg opening along the leg.
    const legLen = thigh + shin;
    const gLegLen = (dist(mid(gIn, gOut), lm.crotch) * k) * (1 + ease.length);
    const len = shorts ? cap(gLegLen, 0.3 * thigh, 1.1 * thigh) : cap(gLegLen, 0.85 * legLen, 1.04 * legLen) * (1 + ease.length * 0.5);
    const onShin = len > thigh;
    const c = onShin ? lerp(knee, ankle, (len - thigh) / shin) : lerp(hip, knee, len / thigh);
    const d = unit(onShin ? sub(ankle, knee) : sub(knee, hip));
    let n = { x: -d.y, y: d.x };
    const o = out(body, side);
    if (n.x * o.x + n.y * o.y < 0) n = scale(n, -1);
    // The leg's own width (bare legs, else the usual proportions), not the old trousers':
    // slim trousers over wide ones ballooned at the knee.
    const legHalf = onShin
      ? body.limbHalfWidth(knee, ankle, cap((len - thigh) / shin, 0, 1), BARE_LEG_LABELS, 0.12 * W)
      : body.limbHalfWidth(hip, knee, len / thigh, BARE_LEG_LABELS, 0.2 * W);
    const gHalf = (dist(gIn, gOut) / 2) * k;
    const half = Math.max(legHalf * 1.1, gHalf * 0.9) * grow;
    const [bo, bi] = legPair(body, side, c, n, half);
    main.push({ name: `bottom_${side}_out`, garment: gOut, body: bo });
    main.push({ name: `bottom_${side}_in`, garment: gIn, body: bi });
    if (onShin) {
      const fk = cap(thigh / len, 0.3, 0.9);
      const kneeHalf = Math.max(body.limbHalfWidth(hip, knee, 0.95, BARE_LEG_LABELS, 0.15 * W) * 1.1 * grow, half * 0.9);
      const dk = unit(add(unit(sub(knee, hip)), d));
      let nk = { x: -dk.y, y: dk.x };
      if (nk.x * o.x + nk.y * o.y < 0) nk = scale(nk, -1);
      const [ko, ki] = legPair(body, side, knee, nk, kneeHalf);
      const gKneeOut = lerp(lerp(gWaist, gOut, tg), gOut, fk);
      const gKneeIn = lerp(lm.crotch, gIn, fk);
      main.push({ name: `knee_${side}_out`, garment: gKneeOut, body: ko });
      main.push({ name: `knee_${side}_in`, garment: gKneeIn, body: ki });
      // Midpoints of the inner seam (crotch-knee, knee-hem) and the outer thigh: each leg
      // follows its own thigh and shin in straight lines, and the spline does not bow the gap
      // between the legs or balloon the thigh.
      main.push({ name: `thigh_${side}_in`, garment: lerp(lm.crotch, gKneeIn, 0.5), body: mid(crotch, ki) });
      main.push({ name: `thigh_${side}_out`, garment: lerp(lerp(gWaist, gOut, tg), gKneeOut, 0.5), body: mid(bHip, ko) });
      main.push({ name: `shin_${side}_in`, garment: lerp(gKneeIn, gIn, 0.5), body: mid(ki, bi) });
    }
  }
}

function dressSkirt(body: Body, g: GarmentAnalysis, lm: DressLandmarks, ease: SizeEase, f: UpperFrame, main: Correspondence[]): void {
  const W = body.shoulderWidth;
  const grow = 1 + ease.width;
  const sy = body.shoulderMid.y;
  const kneeY = (body.knee.left.y + body.knee.right.y) / 2;
  const ankleY = (body.ankle.left.y + body.ankle.right.y) / 2;
  const thigh = Math.max(kneeY - body.hipMid.y, 0.5 * W);
  const gHem = mid(lm.hemline_left, lm.hemline_right);
  const lo = kneeY - 0.2 * thigh - sy;
  const hi = Math.max(ankleY - sy, lo + 1);
  const hemY = hemRow(g, lm, f.k, ease, sy, lo * (1 + ease.length), hi, gHem);
  const bApY = (f.armpit.left.y + f.armpit.right.y) / 2;
  for (const side of SIDES) {
    const gh = lm[`hemline_${side}`];
    const legs = body.halfWidthAt(hemY, side, 0.4 * W, LEG_LABELS);
    const half = Math.max(legs * 1.1 * grow + 0.03 * W, garmentHalf(lm, side, gh) * f.k * grow);
    main.push({ name: `hemline_${side}`, garment: gh, body: atRow(body, hemY, side, half) });
  }
  main.push({ name: 'hem_centre', garment: gHem, body: atRow(body, hemY, 'left', 0) });
  // The outline between armpits and hemline (waist, hips, flare) from the mask.
  sideSeams(body, g, lm, ease, f.k, main, (lm.hemline_left.y + lm.hemline_right.y) / 2, bApY, hemY, [0.12, 0.3, 0.5, 0.75]);
}

/** Plans the fit of a garment on a body: correspondences for the main part and each sleeve. */
export function planFit(body: Body, g: GarmentAnalysis, ease: SizeEase): FitPlan {
  const main: Correspondence[] = [];
  const sleeves: SleevePlan[] = [];
  const seams: Partial<Record<Side, Point[]>> = {};
  const sleeveBottom: Partial<Record<Side, number>> = {};
  if (g.category === 'lower') {
    const lm = completeLower(g);
    lowerTargets(body, g, lm, ease, main);
    const gW = dist(lm.waistband_left, lm.waistband_right);
    const bW = dist(main[0].body, main[1].body);
    return { main, sleeves, seams, sleeveBottom, scale: gW / Math.max(bW, 1) };
  }
  const lm = completeUpper(g);
  const f = upperTargets(body, g, lm, ease, main);
  if (g.category === 'dress') dressSkirt(body, g, lm, ease, f, main);
  else upperHem(body, g, lm, ease, f, main);
  if (g.sleeve !== 'none') {
    for (const side of SIDES) {
      sleeves.push(sleevePlan(body, g, lm, ease, f, side));
      const bottom = g.category === 'dress' ? lm[`hemline_${side}`] : lm[`top_hem_${side}`];
      seams[side] = [lm[`shoulder_${side}`], lm[`armpit_${side}`], bottom];
      const cuffY = Math.max(lm[`cuff_${side}_out`].y, lm[`cuff_${side}_in`].y, lm[`armpit_${side}`].y);
      sleeveBottom[side] = cuffY + 0.1 * dist(lm[`shoulder_${side}`], lm[`armpit_${side}`]);
    }
  }
  return { main, sleeves, seams, sleeveBottom, scale: 1 / f.k };
}

/**
 * The last person-mask pixel walking up the body axis from `from`, at most `reach` pixels;
 * null when the walk never leaves the mask (the shoulder is cut by the frame).
 */
function silhouetteTop(body: Body, from: Point, reach: number): Point | null {
  const { mask } = body.person;
  let last: Point | null = null;
  for (let t = 0; t <= reach; t += 1) {
    const q = add(from, scale(body.down, -t));
    const x = Math.round(q.x);
    const y = Math.round(q.y);
    if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) return null;
    if (mask.data[y * mask.width + x] < 128) return last;
    last = q;
  }
  return null;
}
