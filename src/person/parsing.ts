/**
 * Body-part parsing at full resolution from the person mask, the keypoints and colour.
 *
 * 1. Part map (half resolution, nearest-upsampled): every person pixel goes to the body-part
 *    capsule (body.ts) it is nearest to, distance over radius; visible arms and hands win
 *    anywhere inside their radius, because a limb seen over the torso is in front of it.
 * 2. Labels (full resolution), from the part and two colour cues:
 *    - skin likelihood (skin.ts): skin on the torso is neck (near the shoulder line) or
 *      torso_skin, on the legs and feet it is legs; arms keep their label, sleeve or skin;
 *    - the upper/lower garment split along the body axis: the upper garment's colour is
 *      sampled on the chest, the lower's on the thighs, and the split is the first level
 *      down the axis where most clothed pixels look like the lower garment (fallback just
 *      above the hip joints when the two colours cannot be told apart, e.g. a dress).
 *    - head: inside the face ellipse and skin-coloured (or well inside it) is face; other
 *      skin below the mouth is neck; the rest of the head capsule is hair.
 * Every loop is over typed arrays with no allocation per pixel.
 */
import { LABEL, type Keypoint, type LabelMap, type Mask, type RawImage, type RGB } from '../types.ts';
import { bodyGeometry, ellipseDistance2, Part, type BodyGeometry, type Capsule } from './body.ts';
import { boundsOver } from './mask.ts';
import { flood } from '../image/pixels.ts';

const PERSON = 128;
// Label ids as plain constants: LABEL is built at run time and the hot loops should not look it up.
const BACKGROUND = LABEL.background;
const HAIR = LABEL.hair;
const FACE = LABEL.face;
const NECK = LABEL.neck;
const UPPER = LABEL.upper_clothes;
const LOWER = LABEL.lower_clothes;
const LEFT_ARM = LABEL.left_arm;
const RIGHT_ARM = LABEL.right_arm;
const HANDS = LABEL.hands;
const LEGS = LABEL.legs;
const SHOES = LABEL.shoes;
const TORSO_SKIN = LABEL.torso_skin;
const P_HEAD = Part.Head;
const P_TORSO = Part.Torso;
const P_LTHIGH = Part.LeftThigh;
const P_RTHIGH = Part.RightThigh;
const P_LFOOT = Part.LeftFoot;
const P_RFOOT = Part.RightFoot;
const P_LHAND = Part.LeftHand;
const P_RHAND = Part.RightHand;
const P_LUPPER = Part.LeftUpperArm;
const P_RUPPER = Part.RightUpperArm;
/** The armhole rule reaches this far down the torso (x torso length) ... */
const ARMHOLE_DEPTH = 0.45;
/** ... and leaves the arm this much (x shoulder width) medial of the shoulder joint (the joint sits inside the deltoid). */
const ARMHOLE_MARGIN = 0.04;
const SKIN = 128;
/** Below this skin likelihood a pixel is surely cloth when sampling garment colours. */
const CLOTH = 60;

export interface ParsingResult {
  parsing: LabelMap;
  /** Upper-garment / lower-garment split, as a fraction of the shoulder->hip axis. */
  split: number;
  upperColor: RGB | null;
  lowerColor: RGB | null;
  geometry: BodyGeometry;
}

interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Bounds of the mask's inside pixels (>= 128), inclusive; null for an empty mask. */
export function maskBounds(mask: Mask): Bounds | null {
  return boundsOver(mask, PERSON);
}

/**
 * The capsules unpacked into flat arrays for partMap's loops: k holds ax, ay, dx, dy, 1/len^2,
 * 1/r^2 per capsule; ids its part, front whether it is drawn in front; bbox its bounding box.
 */
function capsuleTable(caps: Capsule[]): { k: Float64Array; ids: Uint8Array; front: Uint8Array; bbox: Float64Array } {
  const n = caps.length;
  const k = new Float64Array(n * 6);
  const ids = new Uint8Array(n);
  const front = new Uint8Array(n);
  const bbox = new Float64Array(n * 4);
  caps.forEach((c, j) => {
    const dx = c.bx - c.ax;
    const dy = c.by - c.ay;
    const len2 = dx * dx + dy * dy;
    k.set([c.ax, c.ay, dx, dy, len2 > 0 ? 1 / len2 : 0, 1 / (c.r * c.r)], j * 6);
    ids[j] = c.part;
    front[j] = c.front ? 1 : 0;
    bbox.set([Math.min(c.ax, c.bx), Math.min(c.ay, c.by), Math.max(c.ax, c.bx), Math.max(c.ay, c.by)], j * 4);
  });
  return { k, ids, front, bbox };
}

/**
 * The armhole rule's frame: the body axis (shoulders -> hips) and its normal, the wearer's left
 * side's sign across it, half the shoulder line's width across the axis (0, rule off, when the
 * shoulders overlap: a side view), and the rule's margin and depth.
 */
function armholeFrame(g: BodyGeometry): { axx: number; axy: number; nx: number; ny: number; leftSign: number; shoulderLat: number; margin: number; depth: number } {
  const axisLen = Math.hypot(g.hipMid.x - g.shoulderMid.x, g.hipMid.y - g.shoulderMid.y) || 1;
  const axx = (g.hipMid.x - g.shoulderMid.x) / axisLen;
  const axy = (g.hipMid.y - g.shoulderMid.y) / axisLen;
  const nx = -axy;
  const ny = axx;
  const leftLat = (g.leftShoulder.x - g.shoulderMid.x) * nx + (g.leftShoulder.y - g.shoulderMid.y) * ny;
  return {
    axx,
    axy,
    nx,
    ny,
    leftSign: leftLat >= 0 ? 1 : -1,
    shoulderLat: Math.abs(leftLat) > 0.15 * g.shoulderWidth ? Math.abs(leftLat) : 0,
    margin: ARMHOLE_MARGIN * g.shoulderWidth,
    depth: ARMHOLE_DEPTH * g.torsoLength,
  };
}

/** Part id per 2x2 block inside the bounds. */
function partMap(mask: Mask, g: BodyGeometry, b: Bounds): { parts: Uint8Array; stride: number } {
  const { data, width } = mask;
  const stride = (width + 1) >> 1;
  const rows = (mask.height + 1) >> 1;
  const parts = new Uint8Array(stride * rows);
  const n = g.capsules.length;
  const { k, ids, front, bbox } = capsuleTable(g.capsules);
  const { axx, axy, nx, ny, leftSign, shoulderLat, margin: armholeMargin, depth: armholeDepth } = armholeFrame(g);
  // Capsules that cannot be nearest anywhere in a tile of blocks are left out of the tile's
  // per-block loop: over the tile, a capsule's d is at least its distance to the tile from the
  // capsule's bounding box, and at most its largest d at the tile's corners (d is convex).
  // Dropped capsules are never the minimum (with a margin far above rounding), and the kept
  // ones are tried in their original order, so every block gets the same part as trying all.
  const dAt = (o: number, x: number, y: number): number => {
    const px = x - k[o];
    const py = y - k[o + 1];
    let t = (px * k[o + 2] + py * k[o + 3]) * k[o + 4];
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const ex = px - t * k[o + 2];
    const ey = py - t * k[o + 3];
    return (ex * ex + ey * ey) * k[o + 5];
  };
  const keep = new Int32Array(n);
  const lower = new Float64Array(n);
  const TILE = 8;
  const bxFirst = b.x0 >> 1;
  const bxLast = b.x1 >> 1;
  for (let ty = b.y0 >> 1; ty <= b.y1 >> 1; ty += TILE) {
    const tyEnd = Math.min(b.y1 >> 1, ty + TILE - 1);
    for (let tx = bxFirst; tx <= bxLast; tx += TILE) {
      const txEnd = Math.min(bxLast, tx + TILE - 1);
      // Block centres of the tile span [X0, X1] x [Y0, Y1].
      const X0 = 2 * tx + 1;
      const X1 = 2 * txEnd + 1;
      const Y0 = 2 * ty + 1;
      const Y1 = 2 * tyEnd + 1;
      let minUpper = Infinity;
      let minFrontUpper = Infinity;
      for (let j = 0, o = 0; j < n; j++, o += 6) {
        const gx = Math.max(0, bbox[j * 4] - X1, X0 - bbox[j * 4 + 2]);
        const gy = Math.max(0, bbox[j * 4 + 1] - Y1, Y0 - bbox[j * 4 + 3]);
        lower[j] = (gx * gx + gy * gy) * k[o + 5];
        const upper = Math.max(dAt(o, X0, Y0), dAt(o, X1, Y0), dAt(o, X0, Y1), dAt(o, X1, Y1));
        if (upper < minUpper) minUpper = upper;
        if (front[j] === 1 && upper < minFrontUpper) minFrontUpper = upper;
      }
      const bestCut = minUpper * (1 + 1e-6) + 1e-9;
      const frontCut = Math.min(1, minFrontUpper * (1 + 1e-6) + 1e-9);
      let kept = 0;
      for (let j = 0; j < n; j++) {
        if (lower[j] <= bestCut || (front[j] === 1 && lower[j] <= frontCut)) keep[kept++] = j;
      }
      for (let by = ty; by <= tyEnd; by++) {
        const y = 2 * by;
        const down = y + 1 < mask.height ? width : 0;
        for (let bx = tx; bx <= txEnd; bx++) {
          const x = 2 * bx;
          const i = y * width + x;
          const right = x + 1 < width ? 1 : 0;
          if (data[i] < PERSON && data[i + right] < PERSON && data[i + down] < PERSON && data[i + down + right] < PERSON) continue;
          const cx = x + 1;
          const cy = y + 1;
          let best = 0;
          let bestD = Infinity;
          let frontBest = 0;
          let frontD = 1;
          for (let q = 0; q < kept; q++) {
            const j = keep[q];
            const d = dAt(j * 6, cx, cy);
            if (d < bestD) {
              bestD = d;
              best = ids[j];
            }
            if (front[j] === 1 && d < frontD) {
              frontD = d;
              frontBest = ids[j];
            }
          }
          let part = frontBest !== 0 ? frontBest : best;
          if ((part === P_LUPPER || part === P_RUPPER) && shoulderLat !== 0) {
            // The upper arm's round cap reaches over the shoulder joint onto the torso; medial of
            // the line through the shoulder joint along the body axis (the armhole) is torso,
            // which keeps a tank top's straps and a T-shirt's yoke with the garment.
            const lat = (cx - g.shoulderMid.x) * nx + (cy - g.shoulderMid.y) * ny;
            const along = (cx - g.shoulderMid.x) * axx + (cy - g.shoulderMid.y) * axy;
            const side = part === P_LUPPER ? leftSign : -leftSign;
            if (along < armholeDepth && lat * side < shoulderLat - armholeMargin) part = P_TORSO;
          }
          parts[by * stride + bx] = part;
        }
      }
    }
  }
  return { parts, stride };
}

/**
 * Colour distance that forgives shading: mostly chromaticity (r, g shares of the sum), a little
 * luma. A fold of a beige garment in shadow stays nearer beige than skin; a tan top on a
 * lighter skin still differs in brightness.
 */
function shadeDistance(r: number, g: number, b: number, ref: RGB): number {
  const s = r + g + b + 1;
  const rs = ref[0] + ref[1] + ref[2] + 1;
  const dr = r / s - ref[0] / rs;
  const dg = g / s - ref[1] / rs;
  const dy = (0.299 * (r - ref[0]) + 0.587 * (g - ref[1]) + 0.114 * (b - ref[2])) / 255;
  return 20 * (dr * dr + dg * dg) + 0.25 * dy * dy;
}

/** Median of each channel over a 256-bin histogram (robust to stray pixels). */
function medianColor(hist: Uint32Array, count: number): RGB {
  const out: number[] = [];
  for (let ch = 0; ch < 3; ch++) {
    let acc = 0;
    let v = 0;
    for (; v < 256; v++) {
      acc += hist[ch * 256 + v];
      if (acc * 2 >= count) break;
    }
    out.push(v);
  }
  return out as RGB;
}

const SPLIT_FALLBACK = 0.85;
const SPLIT_MIN = 0.35;
const SPLIT_MAX = 1.45;
const SPLIT_BIN = 0.025;
/** RGB distance under which the upper and lower garment colours count as the same. */
const SAME_COLOR = 38;
/** RGB distance from the face's skin colour beyond which a core garment colour can veto skin. */
const GARMENT_NOT_SKIN = 30;
/** A skin-likely pixel is cloth when its squared distance to the garment is under this share of its distance to skin. */
const VETO_RATIO = 0.5;
/** Hair pixels sampled around the head before hair is looked for below it. */
const HAIR_MIN_SAMPLES = 300;
/** Hair and upper-garment colours closer than this (shadeDistance) are not told apart. */
const HAIR_DISTINCT = 0.02;
const HAIR_RATIO = 0.35;
const HAIR_LUMA = 45;
/** Hair is looked for down to this far along the shoulder->hip axis, this far (x shoulder width) from it. */
const HAIR_MAX_T = 0.8;
const HAIR_REACH = 0.8;
/** Half-width of the neck as a share of the face's half-width. */
const NECK_HALF_WIDTH = 0.8;

/** What the parsing's passes read: the inputs, the coarse part map and the body axis. */
interface Pass {
  img: Uint8Array;
  ch: number;
  /** Mask and skin likelihood (the latter corrected in place by labelPixels). */
  md: Uint8Array;
  sd: Uint8Array;
  width: number;
  parts: Uint8Array;
  stride: number;
  bounds: Bounds;
  g: BodyGeometry;
  /** x * tx + y * ty + t0 is 0 on the shoulder line, 1 on the hip line; (nx, ny) the axis' unit normal. */
  tx: number;
  ty: number;
  t0: number;
  nx: number;
  ny: number;
  /** The mouth's position along the face's axis (below it: the neck). */
  mouthT: number;
}

/** RGB histograms (256 bins a channel) and their sample counts. */
interface Samples {
  upper: Uint32Array;
  lower: Uint32Array;
  upperCore: Uint32Array;
  lowerCore: Uint32Array;
  hair: Uint32Array;
  upperN: number;
  lowerN: number;
  upperCoreN: number;
  lowerCoreN: number;
  hairN: number;
  /** Sum of the hair samples' luma. */
  hairY: number;
}

/**
 * Pass 1: garment colour samples (clothed pixels of the chest and thighs), the "core" colours
 * (the middle of the chest and of the thighs whatever the skin model says, which is what a
 * garment there looks like even when it is skin-coloured) and the hair's (head pixels well
 * outside the face and not skin).
 */
function sampleColours(p: Pass): Samples {
  const { img, ch, md, sd, width, parts, stride, bounds, g, tx, ty, t0, nx, ny } = p;
  const s: Samples = {
    upper: new Uint32Array(768), lower: new Uint32Array(768), upperCore: new Uint32Array(768), lowerCore: new Uint32Array(768), hair: new Uint32Array(768),
    upperN: 0, lowerN: 0, upperCoreN: 0, lowerCoreN: 0, hairN: 0, hairY: 0,
  };
  const add = (hist: Uint32Array, o: number): void => {
    hist[img[o]]++;
    hist[256 + img[o + 1]]++;
    hist[512 + img[o + 2]]++;
  };
  const coreHalfWidth = 0.25 * g.shoulderWidth;
  const face = g.face;
  const mouthT = p.mouthT;
  for (let y = bounds.y0; y <= bounds.y1; y++) {
    const prow = (y >> 1) * stride;
    for (let x = bounds.x0; x <= bounds.x1; x++) {
      const i = y * width + x;
      if (md[i] < PERSON) continue;
      const part = parts[prow + (x >> 1)];
      const t = x * tx + y * ty + t0;
      const o = i * ch;
      const thigh = (part === P_LTHIGH || part === P_RTHIGH) && t > 1.25 && t < 1.7;
      if (part === P_TORSO && t > 0.3 && t < 0.6) {
        const lat = (x - g.shoulderMid.x) * nx + (y - g.shoulderMid.y) * ny;
        if (lat > -coreHalfWidth && lat < coreHalfWidth) {
          add(s.upperCore, o);
          s.upperCoreN++;
        }
      } else if (thigh) {
        add(s.lowerCore, o);
        s.lowerCoreN++;
      }
      if (sd[i] > CLOTH) continue;
      if (part === P_HEAD && x * face.ux + y * face.uy < mouthT && ellipseDistance2(face, x, y) > 1.4) {
        add(s.hair, o);
        s.hairY += 0.299 * img[o] + 0.587 * img[o + 1] + 0.114 * img[o + 2];
        s.hairN++;
      }
      if (part === P_TORSO && t > 0.2 && t < 0.55) {
        add(s.upper, o);
        s.upperN++;
      } else if (thigh) {
        add(s.lower, o);
        s.lowerN++;
      }
    }
  }
  return s;
}

/**
 * Where the upper garment ends along the body axis (t): the first of two bins in a row whose
 * clothed pixels mostly resemble the lower garment (a belt or a shadow is not a waistline);
 * SPLIT_FALLBACK when the two garments look alike.
 */
function waistSplit(p: Pass, upperColor: RGB | null, lowerColor: RGB | null): number {
  const distinct = upperColor && lowerColor && Math.hypot(upperColor[0] - lowerColor[0], upperColor[1] - lowerColor[1], upperColor[2] - lowerColor[2]) > SAME_COLOR;
  if (!distinct || !upperColor || !lowerColor) return SPLIT_FALLBACK;
  const { img, ch, md, sd, width, parts, stride, bounds, tx, ty, t0 } = p;
  const bins = Math.round((SPLIT_MAX - SPLIT_MIN) / SPLIT_BIN);
  const upperVotes = new Float64Array(bins);
  const votes = new Float64Array(bins);
  const [ur, ug, ub] = upperColor;
  const [lr, lg, lb] = lowerColor;
  for (let y = bounds.y0; y <= bounds.y1; y++) {
    const prow = (y >> 1) * stride;
    for (let x = bounds.x0; x <= bounds.x1; x++) {
      const i = y * width + x;
      if (md[i] < PERSON || sd[i] > CLOTH) continue;
      const part = parts[prow + (x >> 1)];
      if (part !== P_TORSO && part !== P_LTHIGH && part !== P_RTHIGH) continue;
      const bin = Math.floor((x * tx + y * ty + t0 - SPLIT_MIN) / SPLIT_BIN);
      if (bin < 0 || bin >= bins) continue;
      const o = i * ch;
      const r = img[o];
      const gg = img[o + 1];
      const bb = img[o + 2];
      const du = (r - ur) * (r - ur) + (gg - ug) * (gg - ug) + (bb - ub) * (bb - ub);
      const dl = (r - lr) * (r - lr) + (gg - lg) * (gg - lg) + (bb - lb) * (bb - lb);
      votes[bin]++;
      if (du < dl) upperVotes[bin]++;
    }
  }
  for (let b = 0; b < bins; b++) {
    const f0 = votes[b] > 0 ? upperVotes[b] / votes[b] : 1;
    const f1 = b + 1 < bins && votes[b + 1] > 0 ? upperVotes[b + 1] / votes[b + 1] : f0;
    if (f0 < 0.5 && f1 < 0.5) return SPLIT_MIN + b * SPLIT_BIN;
  }
  return SPLIT_MAX;
}

/** The colours pass 2 compares with: garment vetoes of skin, the skin's, the hair's. */
interface Refs {
  split: number;
  upperVeto: RGB | null;
  lowerVeto: RGB | null;
  skinRef: RGB;
  /** The hair's colour when it is unlike the upper garment's (null: no hair over the clothes). */
  hairColor: RGB | null;
  hairRef: RGB;
  hairLuma: number;
  upperCore: RGB | null;
}

/** The label of one person pixel of a part, from whether it is skin and where it is on the body axis (t). */
function partLabel(p: Pass, part: number, x: number, y: number, isSkin: boolean, split: number): number {
  const { g, tx, ty, t0, nx, ny } = p;
  const face = g.face;
  if (part === P_HEAD) {
    const e = ellipseDistance2(face, x, y);
    if (e < 0.6 || (e < 1 && isSkin)) return FACE;
    // Skin below the mouth is neck; beside the face (ears) it is face; farther out it is
    // hair that happens to be skin-coloured (ginger, blond).
    if (isSkin && x * face.ux + y * face.uy > p.mouthT) {
      // Below the mouth: the neck is a column under the face; skin-coloured pixels beside it
      // are light hair falling to the shoulders (or bare shoulders below the shoulder line).
      const across = Math.abs(-(x - face.cx) * face.uy + (y - face.cy) * face.ux);
      return across < NECK_HALF_WIDTH * face.rb ? NECK : x * tx + y * ty + t0 > 0 ? TORSO_SKIN : HAIR;
    }
    return isSkin && e < 1.7 ? FACE : HAIR;
  }
  const t = x * tx + y * ty + t0;
  if (part === P_TORSO) {
    if (!isSkin) return t < split ? UPPER : LOWER;
    const neckReach = NECK_HALF_WIDTH * face.rb;
    const lat = (x - g.shoulderMid.x) * nx + (y - g.shoulderMid.y) * ny;
    return t < 0.1 && lat > -neckReach && lat < neckReach ? NECK : TORSO_SKIN;
  }
  if (part <= Part.LeftForearm) return LEFT_ARM;
  if (part <= Part.RightForearm) return RIGHT_ARM;
  if (part === P_LHAND || part === P_RHAND) return HANDS;
  if (part === P_LFOOT || part === P_RFOOT) return isSkin ? LEGS : SHOES;
  if (part !== 0) return isSkin ? LEGS : t < split ? UPPER : LOWER; // thighs and shins
  return BACKGROUND;
}

/**
 * Pass 2: the label of every person pixel. Skin-coloured cloth that looks more like the garment
 * it sits in than like the face's skin is not skin (and its skin likelihood is corrected in
 * place); hair hanging in front of the shoulders or chest is hair.
 */
function labelPixels(p: Pass, refs: Refs, labels: Uint8Array, bodyHair: Uint8Array): void {
  const { img, ch, md, sd, width, parts, stride, bounds, g, tx, ty, t0, nx, ny } = p;
  const { split, upperVeto, lowerVeto, skinRef, hairColor, hairRef, hairLuma, upperCore } = refs;
  const hairReach = HAIR_REACH * g.shoulderWidth;
  for (let y = bounds.y0; y <= bounds.y1; y++) {
    const prow = (y >> 1) * stride;
    for (let x = bounds.x0; x <= bounds.x1; x++) {
      const i = y * width + x;
      if (md[i] < PERSON) continue;
      const part = parts[prow + (x >> 1)];
      let isSkin = sd[i] >= SKIN;
      if (isSkin && part > P_HEAD) {
        const t = x * tx + y * ty + t0;
        const lower = part >= P_LTHIGH || (part === P_TORSO && t >= split);
        const garment = lower ? lowerVeto : upperVeto;
        if (garment) {
          const o = i * ch;
          const dg = shadeDistance(img[o], img[o + 1], img[o + 2], garment);
          const ds = shadeDistance(img[o], img[o + 1], img[o + 2], skinRef);
          if (dg < VETO_RATIO * ds) {
            isSkin = false;
            sd[i] = CLOTH;
          }
        }
      }
      let label = partLabel(p, part, x, y, isSkin, split);
      if (hairColor && !isSkin && part >= P_TORSO && part <= Part.RightForearm && upperCore) {
        // Hair hanging in front of the shoulders or chest.
        const t = x * tx + y * ty + t0;
        const lat = (x - g.shoulderMid.x) * nx + (y - g.shoulderMid.y) * ny;
        if (t < HAIR_MAX_T && lat > -hairReach && lat < hairReach) {
          const o = i * ch;
          const r = img[o];
          const gg = img[o + 1];
          const bb = img[o + 2];
          const luma = 0.299 * r + 0.587 * gg + 0.114 * bb;
          if (Math.abs(luma - hairLuma) < HAIR_LUMA && shadeDistance(r, gg, bb, hairRef) < HAIR_RATIO * shadeDistance(r, gg, bb, upperCore)) {
            // The label it would have had, kept in case the hair proves stray (dropStrayHair).
            bodyHair[i] = label + 1;
            label = HAIR;
          }
        }
      }
      labels[i] = label;
    }
  }
}

/**
 * Hair found over the body must hang from the head: "hair" over the torso or arms that is not
 * joined to the head's hair through hair (a dark garment's anti-aliased edge, a black strap,
 * which pass for dark hair by colour), or is nearer the skin's colour than the hair's (the
 * shadowed skin of a V-neck), gets back the label it had before (bodyHair holds it, plus 1).
 */
function dropStrayHair(p: Pass, labels: Uint8Array, bodyHair: Uint8Array, skinColor: RGB | null): void {
  const { width, parts, stride, bounds, img, ch } = p;
  const height = labels.length / width;
  const hair = new Uint8Array(labels.length);
  const seeds = new Uint8Array(labels.length);
  const headHair: number[][] = [[], [], []];
  for (let y = bounds.y0; y <= bounds.y1; y++) {
    for (let x = bounds.x0; x <= bounds.x1; x++) {
      const i = y * width + x;
      if (labels[i] !== HAIR) continue;
      hair[i] = 1;
      if (!bodyHair[i] && parts[(y >> 1) * stride + (x >> 1)] === P_HEAD) {
        seeds[i] = 1;
        if ((x + y) % 7 === 0) for (let c = 0; c < 3; c++) headHair[c].push(img[i * ch + c]);
      }
    }
  }
  const joined = flood(seeds, hair, width, height);
  const ref = headHair[0].length >= 20 ? headHair.map((v) => v.sort((a, b) => a - b)[v.length >> 1]) : null;
  for (let i = 0; i < labels.length; i++) {
    if (!bodyHair[i]) continue;
    const o = i * ch;
    const nearerSkin = ref !== null && skinColor !== null && rgbDistance(img, o, skinColor) < rgbDistance(img, o, ref);
    if (!joined[i] || nearerSkin) labels[i] = bodyHair[i] - 1;
  }
}

function rgbDistance(img: ArrayLike<number>, o: number, c: ArrayLike<number>): number {
  return Math.hypot(img[o] - c[0], img[o + 1] - c[1], img[o + 2] - c[2]);
}

/**
 * Labels the person pixels. `skin` is read and also corrected in place: skin-coloured cloth
 * (a beige top, tan trousers) that looks more like the garment it sits in than like the face's
 * skin loses its skin likelihood, so the renderer's sleeve/skin decisions see the same thing.
 */
export function parseBody(image: RawImage, mask: Mask, skin: Mask, keypoints: Keypoint[], skinColor: RGB | null = null): ParsingResult {
  const { width, height } = mask;
  const labels = new Uint8Array(width * height);
  const g = bodyGeometry(keypoints);
  const bounds = maskBounds(mask);
  if (!bounds) return { parsing: { data: labels, width, height }, split: SPLIT_FALLBACK, upperColor: null, lowerColor: null, geometry: g };
  const { parts, stride } = partMap(mask, g, bounds);
  // Body axis: t = 0 on the shoulder line, 1 on the hip line.
  const ax = g.hipMid.x - g.shoulderMid.x;
  const ay = g.hipMid.y - g.shoulderMid.y;
  const len2 = ax * ax + ay * ay || 1;
  const tx = ax / len2;
  const ty = ay / len2;
  const axisLength = Math.sqrt(len2);
  const pass: Pass = {
    img: image.data, ch: image.channels, md: mask.data, sd: skin.data, width, parts, stride, bounds, g,
    tx, ty, t0: -(g.shoulderMid.x * tx + g.shoulderMid.y * ty), nx: -ay / axisLength, ny: ax / axisLength,
    mouthT: g.mouth.x * g.face.ux + g.mouth.y * g.face.uy,
  };

  const s = sampleColours(pass);
  const upperColor = s.upperN > 50 ? medianColor(s.upper, s.upperN) : null;
  const lowerColor = s.lowerN > 50 ? medianColor(s.lower, s.lowerN) : null;
  // A core colour can veto skin only when it is itself unlike the face's skin (a bare chest
  // has a skin-coloured core and vetoes nothing).
  const veto = (hist: Uint32Array, n: number): RGB | null => {
    if (!skinColor || n < 50) return null;
    const c = medianColor(hist, n);
    return Math.hypot(c[0] - skinColor[0], c[1] - skinColor[1], c[2] - skinColor[2]) > GARMENT_NOT_SKIN ? c : null;
  };
  // Long hair over the shoulders and chest: only when the hair's colour is unlike the upper
  // garment's (black hair on a black top stays top: the renderer then paints over it).
  const upperCore = s.upperCoreN >= 50 ? medianColor(s.upperCore, s.upperCoreN) : upperColor;
  let hairColor = s.hairN >= HAIR_MIN_SAMPLES ? medianColor(s.hair, s.hairN) : null;
  if (hairColor && upperCore && shadeDistance(hairColor[0], hairColor[1], hairColor[2], upperCore) < HAIR_DISTINCT) hairColor = null;
  const split = waistSplit(pass, upperColor, lowerColor);
  const bodyHair = new Uint8Array(width * height);
  labelPixels(
    pass,
    {
      split,
      upperVeto: veto(s.upperCore, s.upperCoreN),
      lowerVeto: veto(s.lowerCore, s.lowerCoreN),
      skinRef: skinColor ?? [0, 0, 0],
      hairColor,
      hairRef: hairColor ?? [0, 0, 0],
      hairLuma: s.hairN > 0 ? s.hairY / s.hairN : 0,
      upperCore,
    },
    labels,
    bodyHair,
  );
  dropStrayHair(pass, labels, bodyHair, skinColor);
  return { parsing: { data: labels, width, height }, split, upperColor, lowerColor, geometry: g };
}
