/**
 * Poses and layers the renderer does not handle well, read from the keypoints (and, for the
 * hands and an open jacket, the parsing and the photo's colours), so a try-on can say what it
 * could not do instead of silently drawing a broken picture:
 *
 * - seated: the thighs run towards the camera or sideways, so the knees are nearly level with
 *   the hips (standing, they hang about one torso length lower: 0.67-1.07 on the shared photos);
 * - arms crossed: each wrist in front of the torso, past the body's midline on the other side;
 * - hands in pockets: a wrist at hip height beside the torso whose hand, on the person, shows
 *   no skin (in a pocket, or behind the hip);
 * - turned (three-quarter view): shoulders narrow for the torso's length (0.56-1.06 on the
 *   shared front views), or one shoulder hidden while the other is clearly seen;
 * - open jacket or coat over a top: a vertical band down the middle of the upper clothes in
 *   one colour, flanked on both sides by another, the same on every row from chest to hem.
 *
 * Cheap: a few keypoint tests and a few hundred sampled pixels (well under a millisecond).
 * What each means for a garment of a category is `postureWarnings`.
 */
import { LABEL, type GarmentCategory, type Keypoint, type LabelMap, type Mask, type Posture, type RawImage } from '../types.ts';

/** Keypoint indices (BlazePose order). */
const KP = { leftShoulder: 11, rightShoulder: 12, leftElbow: 13, rightElbow: 14, leftWrist: 15, rightWrist: 16, leftHip: 23, rightHip: 24, leftKnee: 25, rightKnee: 26 } as const;
const SEEN = 0.5;
/** Knee below hip, over the torso's length, under which the thigh is not hanging: seated. */
const SEATED_DROP = 0.45;
/** Shoulder width over torso length under which the body is turned. */
const TURNED_RATIO = 0.45;
/** Skin share around a hand under which the hand is hidden. */
const HIDDEN_HAND = 0.12;
/** CIE76 distance (Lab) between the middle band and the flanks that makes them two garments. */
const LAYER_DE = 22;
/** Largest distance (Lab) between samples of what is one garment's colour. */
const SAME_DE = 14;

interface Frame {
  /** +1 when the wearer's left is on the image's right (a front view), -1 for a back view. */
  side: number;
  midX: number;
  shoulderY: number;
  hipY: number;
  shoulderWidth: number;
  torsoLength: number;
}

function frameOf(k: Keypoint[]): Frame | null {
  const ls = k[KP.leftShoulder];
  const rs = k[KP.rightShoulder];
  const lh = k[KP.leftHip];
  const rh = k[KP.rightHip];
  const shoulderWidth = Math.hypot(ls.x - rs.x, ls.y - rs.y);
  const midX = (ls.x + rs.x) / 2;
  const shoulderY = (ls.y + rs.y) / 2;
  const hipY = (lh.y + rh.y) / 2;
  const torsoLength = Math.hypot((lh.x + rh.x) / 2 - midX, hipY - shoulderY);
  if (shoulderWidth < 1 || torsoLength < 1) return null;
  return { side: Math.sign(ls.x - rs.x) || 1, midX, shoulderY, hipY, shoulderWidth, torsoLength };
}

function inside(p: Keypoint, width: number, height: number): boolean {
  return p.score >= SEEN && p.x >= 0 && p.y >= 0 && p.x < width && p.y < height;
}

function seated(k: Keypoint[], f: Frame, width: number, height: number): boolean {
  const drops: number[] = [];
  for (const [hip, knee] of [[KP.leftHip, KP.leftKnee], [KP.rightHip, KP.rightKnee]] as const) {
    if (!inside(k[knee], width, height) || k[hip].score < SEEN) continue;
    drops.push((k[knee].y - k[hip].y) / f.torsoLength);
  }
  return drops.length > 0 && drops.every((d) => d < SEATED_DROP);
}

function armsCrossed(k: Keypoint[], f: Frame): boolean {
  const past = (wrist: number, ownSide: number): boolean => {
    const w = k[wrist];
    if (w.score < SEEN) return false;
    const across = ((w.x - f.midX) * f.side * ownSide) / f.shoulderWidth; // > 0 on its own side
    const down = (w.y - f.shoulderY) / f.torsoLength;
    return across < -0.1 && down > 0.05 && down < 1.1;
  };
  return past(KP.leftWrist, 1) && past(KP.rightWrist, -1);
}

function turned(k: Keypoint[], f: Frame): boolean {
  const ls = k[KP.leftShoulder].score;
  const rs = k[KP.rightShoulder].score;
  if (Math.min(ls, rs) < SEEN && Math.max(ls, rs) >= 0.9) return true;
  const hipsSeen = k[KP.leftHip].score >= SEEN && k[KP.rightHip].score >= SEEN;
  return hipsSeen && f.shoulderWidth / f.torsoLength < TURNED_RATIO;
}

/**
 * Hands whose wrist is at hip height beside the torso and whose hand, on the person, shows no
 * skin: in a pocket, or behind the hip (a hand on the hip seen from the front). A gloved hand
 * there reads the same.
 */
function handsInPockets(k: Keypoint[], f: Frame, mask: Mask, skin: Mask): ('left' | 'right')[] {
  const out: ('left' | 'right')[] = [];
  const { width, height } = mask;
  for (const [name, wrist, elbow] of [['left', KP.leftWrist, KP.leftElbow], ['right', KP.rightWrist, KP.rightElbow]] as const) {
    const w = k[wrist];
    const e = k[elbow];
    if (!inside(w, width, height)) continue;
    const down = (w.y - f.hipY) / f.torsoLength;
    const out_ = Math.abs(w.x - f.midX) / f.shoulderWidth;
    if (down < -0.3 || down > 0.6 || out_ > 0.75) continue;
    // The hand lies beyond the wrist along the forearm.
    const len = Math.hypot(w.x - e.x, w.y - e.y) || 1;
    const hx = w.x + ((w.x - e.x) / len) * 0.12 * f.shoulderWidth;
    const hy = w.y + ((w.y - e.y) / len) * 0.12 * f.shoulderWidth;
    const r = Math.max(2, 0.1 * f.shoulderWidth);
    let n = 0;
    let skinny = 0;
    let on = 0;
    const step = Math.max(1, Math.round(r / 6));
    for (let y = Math.round(hy - r); y <= hy + r; y += step) {
      for (let x = Math.round(hx - r); x <= hx + r; x += step) {
        if (x < 0 || y < 0 || x >= width || y >= height || (x - hx) ** 2 + (y - hy) ** 2 > r * r) continue;
        const i = y * width + x;
        n++;
        if (skin.data[i] >= 128) skinny++;
        if (mask.data[i] >= 128) on++;
      }
    }
    if (n > 0 && skinny / n < HIDDEN_HAND && on / n > 0.8) out.push(name);
  }
  return out;
}

type Lab = [number, number, number];

function lab(rgb: RawImage, i: number): Lab {
  const c = rgb.channels;
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const r = lin(rgb.data[i * c]);
  const g = lin(rgb.data[i * c + 1]);
  const b = lin(rgb.data[i * c + 2]);
  const fx = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = fx((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.9505);
  const y = fx(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = fx((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.089);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

function dist(a: Lab, b: Lab): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Channel-wise median of the upper clothes' colours along a row between two offsets from the midline (in shoulder widths). */
function rowColour(image: RawImage, parsing: LabelMap, f: Frame, y: number, from: number, to: number): Lab | null {
  const { width } = parsing;
  const samples: Lab[] = [];
  const x0 = Math.round(f.midX + Math.min(from, to) * f.shoulderWidth);
  const x1 = Math.round(f.midX + Math.max(from, to) * f.shoulderWidth);
  const step = Math.max(1, Math.round((x1 - x0) / 12));
  for (let x = Math.max(0, x0); x <= Math.min(width - 1, x1); x += step) {
    const i = y * width + x;
    if (parsing.data[i] === LABEL.upper_clothes) samples.push(lab(image, i));
  }
  if (samples.length < 3) return null;
  return [0, 1, 2].map((c) => samples.map((s) => s[c]).sort((p, q) => p - q)[samples.length >> 1]) as Lab;
}

/**
 * An open jacket over a top: on every sampled row from chest to hem, the middle band differs
 * from both flanks, the flanks match each other, and the band (and the flanks) keep one colour
 * down the body: a print on a tee is the tee's colour above or below it, a jacket is not.
 */
function openJacket(image: RawImage, parsing: LabelMap, f: Frame): boolean {
  const { height } = parsing;
  const bands: Lab[] = [];
  const flanks: Lab[] = [];
  for (const t of [0.3, 0.42, 0.54, 0.66, 0.78]) {
    const y = Math.round(f.shoulderY + t * (f.hipY - f.shoulderY));
    if (y < 0 || y >= height) return false;
    const band = rowColour(image, parsing, f, y, -0.08, 0.08);
    const left = rowColour(image, parsing, f, y, 0.28, 0.42);
    const right = rowColour(image, parsing, f, y, -0.42, -0.28);
    if (!band || !left || !right) return false;
    if (dist(left, right) > SAME_DE || Math.min(dist(band, left), dist(band, right)) < LAYER_DE) return false;
    bands.push(band);
    flanks.push(left, right);
  }
  const spread = (c: Lab[]): number => Math.max(...c.flatMap((a) => c.map((b) => dist(a, b))));
  return spread(bands) < SAME_DE && spread(flanks) < SAME_DE;
}

/** What the photo's pose and layers are, for the warnings. */
export function readPosture(image: RawImage, keypoints: Keypoint[], mask: Mask, parsing: LabelMap, skin: Mask): Posture {
  const none: Posture = { seated: false, armsCrossed: false, handsInPockets: [], turned: false, openJacket: false };
  const f = frameOf(keypoints);
  const shoulders = keypoints[KP.leftShoulder].score >= SEEN || keypoints[KP.rightShoulder].score >= SEEN;
  if (!f || !shoulders) return none;
  const { width, height } = parsing;
  return {
    seated: seated(keypoints, f, width, height),
    armsCrossed: armsCrossed(keypoints, f),
    handsInPockets: handsInPockets(keypoints, f, mask, skin),
    turned: turned(keypoints, f),
    openJacket: openJacket(image, parsing, f),
  };
}

/**
 * What a try-on in a garment of `category` cannot do well for this posture, one sentence each
 * (they go into the try-on's warnings and a batch's results.json).
 */
export function postureWarnings(posture: Posture | undefined, category: GarmentCategory): string[] {
  if (!posture) return [];
  const out: string[] = [];
  const legs = category !== 'upper';
  const top = category !== 'lower';
  if (posture.seated && legs) out.push(`person seated: legs not fitted (the ${category === 'dress' ? 'dress' : 'lower garment'} is drawn as for standing legs; the lap and bent knees are not followed)`);
  if (posture.armsCrossed && top) out.push('arms crossed in front of the body: the sleeves and the chest behind the forearms are fitted roughly');
  for (const side of posture.handsInPockets) {
    if (legs) out.push(`${side} hand hidden at the hip (in a pocket or behind the body): the arm is kept in front of the new garment and ends there`);
  }
  if (posture.turned) out.push('body turned (three-quarter or side view): the garment is fitted as seen from the front, its far side may be too wide');
  if (posture.openJacket && top) out.push('open jacket or coat over a top: the new garment replaces both; the jacket is not kept in front');
  return out;
}
