/**
 * The quality metrics of one rendered pair: numbers that see the defects a catalog team sees
 * (sleeves standing out, flat skin blocks, seams, straps and cuffs left behind), computed from
 * the input photo, its analysis and the result. Each says what it catches and how it misleads.
 *
 * Shared definitions:
 * - silhouette: the person mask of the INPUT photo (>= 128). Areas are given in percent of it.
 * - changed: the result differs from the photo by more than CHANGED_DE (CIE76) after both are
 *   box-averaged over 5x5, so JPEG noise and 1-px edge shifts do not count.
 * - skin-like: the person's own skin model (fitted on the photo's face or hands, src/person/skin.ts)
 *   says >= 50 % on that pixel, for the photo and the result alike.
 */
import type { GarmentCategory, Mask, PersonAnalysis, RawImage, RGB } from '../../src/types.ts';
import { LABEL } from '../../src/types.ts';
import { fitSkinModel, skinLikelihood } from '../../src/person/skin.ts';
import { textureLevel as grainTextureLevel } from '../../src/bare/grain.ts';
import { deltaE2000, renderQuality } from '../../test/helpers/metrics.ts';
import { boundsOf, boxLab, boxMean, count, cropLab, cropPlane, deltaE76, denoise, dilateBy, distanceTo, erodeBy, grow, integral, pastePlane, toLabPlanes, toLabPlanesFrom, windowSum, type LabPlanes, type Window } from './raster.ts';

/** Box-averaged CIE76 above which a pixel counts as changed. */
export const CHANGED_DE = 6;
/** Spill counts changes farther than this many shoulder widths outside the silhouette. */
export const SPILL_MARGIN = 0.15;

/** What one pair is measured from. */
export interface PairInputs {
  person: PersonAnalysis;
  result: RawImage;
  /** Where the new garment is in the result, after occlusion (the render's own layer). */
  garmentMask: Mask;
  /** The garment colour before shading, premultiplied (the render's warped layer), for the colour check. */
  warpedGarment?: RawImage;
  /** Where the render replaced old garment (its own claim; SSIM outside excludes it). */
  exposedSkin?: Mask;
  /** The rendered sleeves' alpha at full size, both sleeves in one plane (null: sleeveless). */
  sleeves: Mask | null;
  category: GarmentCategory;
  /** Whether the garment has sleeves long enough that the upper-arm check applies. */
  sleeved: boolean;
}

export interface PairMetrics {
  /** Changed pixels beyond the spill margin, % of the silhouette. */
  spill: number;
  /** Skin in the result where the photo had none, % of the silhouette. */
  synthSkin: number;
  /** Mean |Laplacian| of luminance on the synthesised skin over that on real skin (null: too little of either). */
  textureRatio: number | null;
  /** Mean CIEDE2000 across the synthesised/real skin border (null: no such border). */
  seamStep: number | null;
  /** Old-garment pixels still visible outside the new garment, % of the silhouette. */
  remnants: number;
  /** Largest angle (degrees) between a rendered sleeve's axis and its upper arm (null: no sleeve measured). */
  sleeveAxis: number | null;
  /** SSIM of luminance outside the garment and the replaced area (1 = untouched). */
  ssimOutside: number;
  /** CIEDE2000 of the garment area's mean colour against the warped garment's (null: no opaque garment). */
  deltaE: number | null;
}

/** Everything derived from the person alone, computed once and reused for all its pairs. */
export interface PersonPlanes {
  person: PersonAnalysis;
  width: number;
  height: number;
  silhouette: Uint8Array;
  silhouetteArea: number;
  /** Distance (px) from each pixel to the silhouette, 0 inside. */
  outsideDistance: Float32Array;
  shoulderWidth: number;
  photoLabBox: LabPlanes;
  photoLab: LabPlanes;
  /** The photo's skin likelihood under the person's own skin model, 0..255. */
  photoSkin: Uint8Array;
  skinModel: ReturnType<typeof fitSkinModel>;
  /** Real skin used as the texture reference, eroded away from its edges. */
  realSkinCore: Uint8Array;
  realSkinTexture: number | null;
  /** The backdrop's colour everywhere, spread in from outside the silhouette (Lab). */
  backdrop: LabPlanes;
  /**
   * Where the body surely is, from the keypoints alone: the torso between the shoulder and hip
   * joints (raised to the tops of the shoulders: BlazePose marks the joint, well below them) and capsules along the arms' and legs' bones.
   * Backdrop colour there cannot be a removed garment's background: it is a remnant (a white strap).
   */
  bodyCore: Uint8Array;
}

const ALL = (n: number): Mask => ({ data: new Uint8Array(n).fill(255), width: 0, height: 0 });

/** Luminance (Rec. 601) of interleaved bytes. */
function luma(data: Uint8Array, channels: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * data[i * channels] + 0.587 * data[i * channels + 1] + 0.114 * data[i * channels + 2];
  return out;
}

/**
 * The texture level of a region of an image: src/bare/grain.ts textureLevel (mean |Laplacian| of
 * the 3x3-smoothed luminance per 12x12 block the region fills, median over blocks) over the
 * region's window.
 */
export function textureLevel(img: RawImage, region: Uint8Array, win: Window | null = null): { level: number; blocks: number } {
  const { width, height } = img;
  const w = win ?? { x: 0, y: 0, width, height };
  const lum = luma(cropImage(img, w).data, img.channels, w.width * w.height);
  return grainTextureLevel(lum, w.width, w.height, win ? cropPlane(region, width, w) : region);
}

/** Skin likelihood of any image under the person's model, over the whole frame. */
function skinOf(img: RawImage, model: PersonPlanes['skinModel']): Uint8Array {
  const n = img.width * img.height;
  if (!model) return new Uint8Array(n);
  const all = ALL(n);
  return skinLikelihood(img, { ...all, width: img.width, height: img.height }, model).data;
}

/**
 * The result's skin likelihood: the photo's, recomputed only in the box around the pixels the
 * result changed (plus the likelihood's smoothing reach).
 */
function skinOfChanged(pp: PersonPlanes, result: RawImage): Uint8Array {
  const out = pp.photoSkin.slice();
  const box = differingBox(pp.person.image, result, 4);
  if (!box || !pp.skinModel) return out;
  const crop = cropImage(result, box);
  const skin = skinOf(crop, pp.skinModel);
  for (let y = 0; y < box.height; y++) out.set(skin.subarray(y * box.width, (y + 1) * box.width), (box.y + y) * pp.width + box.x);
  return out;
}

/** The bounding box of the pixels where two images of one size differ, grown by `pad`; null when equal. */
function differingBox(a: RawImage, b: RawImage, pad: number): Window | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = y * a.width + x;
      const o = i * a.channels;
      const q = i * b.channels;
      if (a.data[o] === b.data[q] && a.data[o + 1] === b.data[q + 1] && a.data[o + 2] === b.data[q + 2]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : grow({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, pad, a.width, a.height);
}

function cropImage(img: RawImage, box: { x: number; y: number; width: number; height: number }): RawImage {
  const c = img.channels;
  const data = new Uint8Array(box.width * box.height * c);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * img.width + box.x) * c;
    data.set(img.data.subarray(from, from + box.width * c), y * box.width * c);
  }
  return { data, width: box.width, height: box.height, channels: c };
}

/** Skin labels of the parsing that are real, visible skin in the photo. */
const SKIN_LABELS = new Set<number>([LABEL.neck, LABEL.left_arm, LABEL.right_arm, LABEL.hands, LABEL.legs, LABEL.torso_skin]);
/** Where real skin can show in the photo: the skin labels, the face, and skin-coloured pixels inside the top (a neckline). */
const SKIN_OR_FACE = new Set<number>([...SKIN_LABELS, LABEL.face, LABEL.upper_clothes]);

/** The backdrop's Lab colour at every pixel: a normalised box mean of what lies outside the silhouette. */
function backdropField(lab: LabPlanes, outsideDistance: Float32Array, width: number, height: number): LabPlanes {
  const weight = new Float32Array(width * height);
  for (let i = 0; i < weight.length; i++) weight[i] = outsideDistance[i] > 4 ? 1 : 0;
  // A wide window reaches across a torso; the normalisation makes it a local average of backdrop only.
  const r = Math.round(Math.max(width, height) / 12);
  const w = boxMean(weight, width, height, r);
  const spread = (plane: Float32Array): Float32Array => {
    const p = new Float32Array(plane.length);
    for (let i = 0; i < p.length; i++) p[i] = plane[i] * weight[i];
    const m = boxMean(p, width, height, r);
    for (let i = 0; i < m.length; i++) m[i] = w[i] > 1e-3 ? m[i] / w[i] : Number.NaN;
    return m;
  };
  return { L: spread(lab.L), a: spread(lab.a), b: spread(lab.b) };
}

/** Per-person planes the pair metrics share. */
export function personPlanes(person: PersonAnalysis, shoulderWidth: number): PersonPlanes {
  const { width, height } = person;
  const n = width * height;
  const silhouette = new Uint8Array(n);
  for (let i = 0; i < n; i++) silhouette[i] = person.mask.data[i] >= 128 ? 1 : 0;
  const outsideDistance = distanceTo(silhouette, width, height);
  const img = person.image;
  const photoLab = toLabPlanes(img.data, img.channels, width, height);
  const photoLabBox = boxLab(photoLab, width, height, 2);
  const skinModel = fitSkinModel(img, person.mask, person.keypoints);
  const photoSkin = skinOf(img, skinModel);
  const realSkin = new Uint8Array(n);
  for (let i = 0; i < n; i++) realSkin[i] = SKIN_LABELS.has(person.parsing.data[i]) && photoSkin[i] >= 200 ? 1 : 0;
  let realSkinCore = erodeBy(realSkin, width, height, 2);
  if (count(realSkinCore) < 400) {
    // Little body skin in view (long sleeves, trousers): the face's cheeks and forehead too.
    for (let i = 0; i < n; i++) if (person.parsing.data[i] === LABEL.face && photoSkin[i] >= 200) realSkin[i] = 1;
    realSkinCore = erodeBy(realSkin, width, height, 3);
  }
  const tex = textureLevel(img, realSkinCore, boundsOf(realSkinCore, width, height, 2));
  return {
    person,
    width,
    height,
    silhouette,
    silhouetteArea: Math.max(1, count(silhouette)),
    outsideDistance,
    shoulderWidth,
    photoLabBox,
    photoLab,
    photoSkin,
    skinModel,
    realSkinCore,
    realSkinTexture: tex.blocks >= 3 && tex.level > 0 ? tex.level : null,
    backdrop: backdropField(photoLab, outsideDistance, width, height),
    bodyCore: bodyCore(person, shoulderWidth),
  };
}

/** Fills the convex polygon and the capsules of PersonPlanes.bodyCore. */
export function bodyCore(person: PersonAnalysis, shoulderWidth: number): Uint8Array {
  const { width, height } = person;
  const k = person.keypoints;
  const out = new Uint8Array(width * height);
  const up = { x: 0, y: -0.35 * shoulderWidth };
  const quad = [
    { x: k[11].x + up.x, y: k[11].y + up.y },
    { x: k[12].x + up.x, y: k[12].y + up.y },
    k[24],
    k[23],
  ];
  const inside = (x: number, y: number): boolean => {
    let sign = 0;
    for (let i = 0; i < 4; i++) {
      const a = quad[i];
      const b = quad[(i + 1) % 4];
      const c = Math.sign((b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x));
      if (c === 0) continue;
      if (sign === 0) sign = c;
      else if (c !== sign) return false;
    }
    return true;
  };
  const bones: [number, number, number][] = [
    [11, 13, 0.07], [13, 15, 0.06], [12, 14, 0.07], [14, 16, 0.06],
    [23, 25, 0.1], [25, 27, 0.07], [24, 26, 0.1], [26, 28, 0.07],
  ];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (inside(x, y)) {
        out[y * width + x] = 1;
        continue;
      }
      for (const [a, b, r] of bones) {
        if (Math.min(k[a].score, k[b].score) < 0.3) continue;
        if (segmentDistance(x, y, k[a], k[b]) <= r * shoulderWidth) {
          out[y * width + x] = 1;
          break;
        }
      }
    }
  }
  return out;
}

/** How far a skirt or dress may flare out per pixel below the hips (a hem about 14 degrees out from the hip). */
export const DRAPE_FLARE = 0.25;

/**
 * Where a garment of the category may stand off the body without spilling: below the hip line,
 * for bottoms and dresses, within the hips' half-width plus the margin, widening by DRAPE_FLARE
 * per pixel down (an A-line skirt's flare over slim legs). Null for tops: nothing excused.
 */
export function drapeEnvelope(pp: PersonPlanes, category: GarmentCategory): ((x: number, y: number) => boolean) | null {
  if (category === 'upper') return null;
  const k = pp.person.keypoints;
  const [l, r] = [k[23], k[24]];
  if (!l || !r || Math.min(l.score, r.score) < 0.3) return null;
  const cx = (l.x + r.x) / 2;
  const hipY = (l.y + r.y) / 2;
  const half = Math.abs(l.x - r.x) / 2 + SPILL_MARGIN * pp.shoulderWidth;
  return (x, y) => y > hipY && Math.abs(x - cx) <= half + DRAPE_FLARE * (y - hipY);
}

/**
 * Spill: changed pixels farther than SPILL_MARGIN shoulder widths outside the input silhouette,
 * % of the silhouette. Catches sleeves that stand out like wings, boxy shoulders, a garment
 * pasted beside the body, a backdrop repainted. A skirt's or dress's flare below the hips is
 * excused (drapeEnvelope): a long A-line skirt on slim legs stands off them by design. What it
 * still misleads on: a trouser leg ballooning within that flare passes; read the pictures.
 */
export function spill(pp: PersonPlanes, changed: Uint8Array, category: GarmentCategory = 'upper', explain?: Explanation): number {
  const margin = SPILL_MARGIN * pp.shoulderWidth;
  const drape = drapeEnvelope(pp, category);
  const spilt = new Uint8Array(changed.length);
  for (let i = 0; i < changed.length; i++) {
    if (!changed[i] || pp.outsideDistance[i] <= margin) continue;
    if (drape && drape(i % pp.width, (i / pp.width) | 0)) continue;
    spilt[i] = 1;
  }
  if (explain) explain.spill = spilt;
  return (100 * count(spilt)) / pp.silhouetteArea;
}

/**
 * Synthesised skin: pixels outside the new garment where the result is skin-like, the photo was
 * not, and the result changed. Its texture ratio (mean |Laplacian| there over that on the
 * person's real visible skin) sees flat paint (0.3-0.5) and over-sharp noise (> 1.5); its seam
 * step (CIEDE2000 of the mean colours 3 px each side of the border with real skin) sees a cut-out
 * edge or a colour step. Misleads: a skin-coloured garment left outside the new one counts as
 * synthesised skin; noise added to flat paint raises the texture ratio without looking like skin.
 */
export function synthesisedSkin(pp: PersonPlanes, result: RawImage, resultLab: LabPlanes, resultSkin: Uint8Array, changed: Uint8Array, garment: Uint8Array, explain?: Explanation): { area: number; textureRatio: number | null; seamStep: number | null } {
  const { width, height } = pp;
  const n = width * height;
  const synth = new Uint8Array(n);
  const real = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (garment[i] >= 128 || resultSkin[i] < 128) continue;
    if (pp.photoSkin[i] < 128 && changed[i]) synth[i] = 1;
    // Real skin: the photo's own, per pixel (the box test would keep it 2 px off the paint).
    else if (pp.photoSkin[i] >= 128 && labDistance2(resultLab, pp.photoLab, i) < 9 && SKIN_OR_FACE.has(pp.person.parsing.data[i])) real[i] = 1;
  }
  const area = (100 * count(synth)) / pp.silhouetteArea;
  if (explain) Object.assign(explain, { synth, real });
  const tex = textureLevel(result, synth, boundsOf(synth, width, height, 2));
  const textureRatio = tex.blocks >= 3 && pp.realSkinTexture ? tex.level / pp.realSkinTexture : null;
  return { area, textureRatio, seamStep: seamStep(result, synth, real, width, height) };
}

/** Mean CIEDE2000 between the synthesised and the real side of their border, 3 px deep each side. */
function seamStep(result: RawImage, synthFull: Uint8Array, realFull: Uint8Array, width: number, height: number): number | null {
  // All of it happens within reach of the synthesised skin: work in its bounding box.
  const win = boundsOf(synthFull, width, height, 8);
  if (!win) return null;
  const w = win.width;
  const h = win.height;
  const synth = cropPlane(synthFull, width, win);
  const real = cropPlane(realFull, width, win);
  const image = cropImage(result, win);
  const reach = 3;
  const nearSynth = dilateBy(synth, w, h, reach);
  const nearReal = dilateBy(real, w, h, reach);
  const touchesReal = dilateBy(real, w, h, 1);
  const n = w * h;
  // Per band: summed-area tables of R, G, B and of the band itself.
  const sums = (band: (i: number) => number): Float64Array[] =>
    [0, 1, 2, 3].map((c) => {
      const p = new Float32Array(n);
      for (let i = 0; i < n; i++) if (band(i)) p[i] = c === 3 ? 1 : image.data[i * image.channels + c];
      return integral(p, w, h);
    });
  const S = sums((i) => synth[i] & nearReal[i]);
  const R = sums((i) => real[i] & nearSynth[i]);
  const r = reach + 1;
  const mean = (t: Float64Array[], x: number, y: number): RGB | null => {
    const k = windowSum(t[3], w, h, x - r, y - r, x + r, y + r);
    if (k < 4) return null;
    return [0, 1, 2].map((c) => windowSum(t[c], w, h, x - r, y - r, x + r, y + r) / k) as RGB;
  };
  let total = 0;
  let points = 0;
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      const i = y * w + x;
      if (!synth[i] || !touchesReal[i]) continue;
      const a = mean(S, x, y);
      const b = mean(R, x, y);
      if (!a || !b) continue;
      total += deltaE2000(a, b);
      points++;
    }
  }
  return points >= 10 ? total / points : null;
}

/** Squared CIE76 distance of two Lab images at one pixel. */
function labDistance2(p: LabPlanes, q: LabPlanes, i: number): number {
  const dL = p.L[i] - q.L[i];
  const da = p.a[i] - q.a[i];
  const db = p.b[i] - q.b[i];
  return dL * dL + da * da + db * db;
}

/** The photo's pixels of the garment a category replaces (by its parsing), not skin-like. */
function oldGarment(pp: PersonPlanes, category: GarmentCategory): Uint8Array {
  const parsing = pp.person.parsing.data;
  const out = new Uint8Array(parsing.length);
  const upper = category !== 'lower';
  const lower = category !== 'upper';
  for (let i = 0; i < out.length; i++) {
    if (pp.photoSkin[i] >= 128 || !pp.silhouette[i]) continue;
    const l = parsing[i];
    if (upper && (l === LABEL.upper_clothes || l === LABEL.left_arm || l === LABEL.right_arm)) out[i] = 1;
    if (lower && l === LABEL.lower_clothes) out[i] = 1;
  }
  return out;
}

/**
 * Old-garment remnants: pixels of the garment the new one replaces (by the photo's parsing,
 * minus skin-like pixels) that show in the result outside the new garment either unchanged
 * (a strap, a cuff, a hem left as it was) or as something that is neither skin nor backdrop (a
 * pale ghost strip where old cloth was half painted over). Backdrop colour counts as removed
 * only off the body core (PersonPlanes.bodyCore). Specks and 1-px lines are dropped. % of the
 * silhouette. Misleads: a backdrop-coloured old garment off the body core (a white tee's edge on
 * white) is never seen; parsing errors (hair over the shoulders read as top) count as remnants.
 */
export function remnants(pp: PersonPlanes, resultLab: LabPlanes, resultSkin: Uint8Array, garment: Uint8Array, category: GarmentCategory, explain?: Explanation): number {
  const old = oldGarment(pp, category);
  const n = old.length;
  const left = new Uint8Array(n);
  const bd = pp.backdrop;
  for (let i = 0; i < n; i++) {
    if (!old[i] || garment[i] >= 128) continue;
    const same = labDistance2(resultLab, pp.photoLab, i) < 16;
    const skin = resultSkin[i] >= 96;
    // Backdrop colour off the body core is a removed garment's background, or a person mask
    // that took in backdrop: neither is a remnant, even unchanged.
    const backdrop = !pp.bodyCore[i] && !Number.isNaN(bd.L[i]) && labDistance2(resultLab, bd, i) < 100;
    if (!backdrop && (same || !skin)) left[i] = 1;
  }
  const kept = denoise(left, pp.width, pp.height);
  if (explain) explain.remnants = kept;
  return (100 * count(kept)) / pp.silhouetteArea;
}

/** Upper-arm keypoints per side: [shoulder, elbow] (wearer's left = BlazePose 11/13, right = 12/14). */
function upperArms(person: PersonAnalysis): { shoulder: { x: number; y: number }; elbow: { x: number; y: number } }[] {
  const k = person.keypoints;
  return [
    { shoulder: k[11], elbow: k[13] },
    { shoulder: k[12], elbow: k[14] },
  ];
}

/**
 * Sleeve axis: per sleeve, the direction from the shoulder joint to the centroid of the farthest
 * fifth of the rendered sleeve's pixels (within one upper-arm length of the shoulder), against the
 * upper arm (shoulder -> elbow keypoints); the larger of the two angles, in degrees. A sleeve that
 * hangs along the arm scores a few degrees, a wing standing out sideways 40-90. Misleads when the
 * elbow keypoint is wrong, and on a sleeve mostly hidden behind an arm in front.
 */
export function sleeveAxis(person: PersonAnalysis, sleeves: Mask | null): number | null {
  if (!sleeves) return null;
  const arms = upperArms(person);
  const { width, height, data } = sleeves;
  const pts: { x: number; y: number; d: number }[][] = [[], []];
  const len = arms.map((a) => Math.hypot(a.elbow.x - a.shoulder.x, a.elbow.y - a.shoulder.y));
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      if (data[y * width + x] < 128) continue;
      // The side whose upper arm segment is nearer.
      const d = arms.map((a) => segmentDistance(x, y, a.shoulder, a.elbow));
      const side = d[0] <= d[1] ? 0 : 1;
      const s = arms[side].shoulder;
      const r = Math.hypot(x - s.x, y - s.y);
      if (r <= len[side]) pts[side].push({ x, y, d: r });
    }
  }
  let worst: number | null = null;
  for (const side of [0, 1]) {
    const p = pts[side];
    if (p.length < 30 || len[side] < 4) continue;
    p.sort((a, b) => b.d - a.d);
    const far = p.slice(0, Math.max(6, Math.round(p.length / 5)));
    const cx = far.reduce((s, q) => s + q.x, 0) / far.length;
    const cy = far.reduce((s, q) => s + q.y, 0) / far.length;
    const { shoulder, elbow } = arms[side];
    const a1 = Math.atan2(cy - shoulder.y, cx - shoulder.x);
    const a2 = Math.atan2(elbow.y - shoulder.y, elbow.x - shoulder.x);
    let deg = Math.abs(((a1 - a2) * 180) / Math.PI) % 360;
    if (deg > 180) deg = 360 - deg;
    worst = worst === null ? deg : Math.max(worst, deg);
  }
  return worst;
}

function segmentDistance(x: number, y: number, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const t = Math.min(1, Math.max(0, ((x - a.x) * abx + (y - a.y) * aby) / (abx * abx + aby * aby || 1)));
  return Math.hypot(x - a.x - abx * t, y - a.y - aby * t);
}

/** The pixels behind each area metric (0/1 planes), for looking at why a pair scored as it did. */
export interface Explanation {
  spill?: Uint8Array;
  synth?: Uint8Array;
  real?: Uint8Array;
  remnants?: Uint8Array;
}

/** Radius of the box the change test averages over (5x5). */
const CHANGE_BOX = 2;

/**
 * The changed pixels (see the header), computed in `win`, the box around the pixels whose bytes
 * differ grown by more than the averaging box: every pixel outside it, and in its outer rim, has
 * the same box mean in both images.
 */
function changedPixels(pp: PersonPlanes, resultLab: LabPlanes, win: Window | null): Uint8Array {
  const changed = new Uint8Array(pp.width * pp.height);
  if (!win) return changed;
  const boxed = boxLab(cropLab(resultLab, pp.width, win), win.width, win.height, CHANGE_BOX);
  const diff = deltaE76(cropLab(pp.photoLabBox, pp.width, win), boxed);
  const local = new Uint8Array(diff.length);
  for (let y = CHANGE_BOX; y < win.height - CHANGE_BOX; y++) {
    for (let x = CHANGE_BOX, i = y * win.width + x; x < win.width - CHANGE_BOX; x++, i++) local[i] = diff[i] > CHANGED_DE ? 1 : 0;
  }
  pastePlane(changed, pp.width, local, win);
  return changed;
}

/** Every metric of one pair; `explain`, when given, receives the pixels behind the area metrics. */
export function measurePair(pp: PersonPlanes, p: PairInputs, explain?: Explanation): PairMetrics {
  const { width, height } = pp;
  const img = pp.person.image;
  const resultLab = toLabPlanesFrom(pp.photoLab, img.data, img.channels, p.result.data, p.result.channels);
  const differ = differingBox(img, p.result, 2 * CHANGE_BOX + 2);
  const changed = changedPixels(pp, resultLab, differ);
  const resultSkin = skinOfChanged(pp, p.result);
  const garment = p.garmentMask.data;
  const skin = synthesisedSkin(pp, p.result, resultLab, resultSkin, changed, garment, explain);
  const classic = p.warpedGarment && p.exposedSkin
    ? renderQuality(pp.person.image, { image: p.result, layers: { garmentMask: p.garmentMask, warpedGarment: p.warpedGarment, exposedSkin: p.exposedSkin } }, differ ?? undefined)
    : { ssimOutside: Number.NaN, deltaE: null };
  return {
    spill: spill(pp, changed, p.category, explain),
    synthSkin: skin.area,
    textureRatio: skin.textureRatio,
    seamStep: skin.seamStep,
    remnants: remnants(pp, resultLab, resultSkin, garment, p.category, explain),
    sleeveAxis: p.sleeved ? sleeveAxis(pp.person, p.sleeves) : null,
    ssimOutside: classic.ssimOutside,
    deltaE: classic.deltaE,
  };
}
