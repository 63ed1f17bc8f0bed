/**
 * Drawn test subjects for the fit and render tests: a stick-figure person (keypoints, a
 * parsing painted from capsules and polygons, a photo coloured by part) and flat garments
 * with exact landmarks. Real photographs are in ../shared/fixtures; these make the geometry
 * tests independent of the analysis models.
 */
import {
  KEYPOINT_NAMES,
  LABEL,
  type GarmentAnalysis,
  type GarmentCategory,
  type GarmentLandmarkName,
  type Keypoint,
  type KeypointName,
  type PersonAnalysis,
  type Point,
  type RGB,
  type SleeveLength,
} from '../../src/types.ts';

export function fillPolygon(data: Uint8Array, width: number, height: number, poly: Point[], value: number): void {
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of poly) {
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(height - 1, Math.ceil(y1)); y++) {
    const cy = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < poly.length; i++) {
      const a = poly[i];
      const b = poly[(i + 1) % poly.length];
      if ((a.y <= cy && b.y > cy) || (b.y <= cy && a.y > cy)) xs.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k] - 0.5)); x <= Math.min(width - 1, Math.floor(xs[k + 1] - 0.5)); x++) data[y * width + x] = value;
    }
  }
}

export function fillCapsule(data: Uint8Array, width: number, height: number, a: Point, b: Point, r: number, value: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + r));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + r));
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const len2 = abx * abx + aby * aby || 1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = Math.min(Math.max(((x + 0.5 - a.x) * abx + (y + 0.5 - a.y) * aby) / len2, 0), 1);
      const dx = x + 0.5 - a.x - abx * t;
      const dy = y + 0.5 - a.y - aby * t;
      if (dx * dx + dy * dy <= r * r) data[y * width + x] = value;
    }
  }
}

export interface StickOptions {
  width?: number;
  height?: number;
  /** Raise the wearer's left arm (image right) to horizontal. */
  raiseLeftArm?: boolean;
  /** Bend the right forearm across the torso. */
  armAcross?: boolean;
  /** Extra torso half-width in pixels (a broader person). */
  broad?: number;
}

const PART_COLOURS: Record<number, RGB> = {
  [LABEL.background]: [235, 235, 235],
  [LABEL.hair]: [40, 30, 20],
  [LABEL.face]: [200, 150, 120],
  [LABEL.neck]: [195, 145, 115],
  [LABEL.upper_clothes]: [30, 60, 160],
  [LABEL.lower_clothes]: [60, 60, 60],
  [LABEL.left_arm]: [200, 150, 120],
  [LABEL.right_arm]: [200, 150, 120],
  [LABEL.hands]: [200, 150, 120],
  [LABEL.legs]: [200, 150, 120],
  [LABEL.shoes]: [20, 20, 20],
  [LABEL.torso_skin]: [200, 150, 120],
};

/** A front-facing stick person in a blue tee and grey trousers; wearer's left on image right. */
export function stickPerson(options: StickOptions = {}): PersonAnalysis {
  const width = options.width ?? 240;
  const height = options.height ?? 320;
  const s = height / 320;
  const cx = width / 2;
  const P = (x: number, y: number): Point => ({ x: cx + x * s, y: y * s });
  const broad = (options.broad ?? 0) * s;
  const k: Partial<Record<KeypointName, Point>> = {
    nose: P(0, 30),
    left_shoulder: P(30, 70),
    right_shoulder: P(-30, 70),
    left_elbow: options.raiseLeftArm ? P(75, 68) : P(38, 120),
    right_elbow: P(-38, 120),
    left_wrist: options.raiseLeftArm ? P(118, 66) : P(42, 165),
    right_wrist: options.armAcross ? P(8, 125) : P(-42, 165),
    left_hip: P(20, 170),
    right_hip: P(-20, 170),
    left_knee: P(22, 235),
    right_knee: P(-22, 235),
    left_ankle: P(22, 300),
    right_ankle: P(-22, 300),
  };
  const parsing = new Uint8Array(width * height);
  const paint = (poly: Point[], l: number): void => fillPolygon(parsing, width, height, poly, l);
  const cap = (a: Point, b: Point, r: number, l: number): void => fillCapsule(parsing, width, height, a, b, r * s, l);
  // Legs (trousers), torso (tee), neck, head, arms last (in front).
  cap(k.left_hip!, k.left_knee!, 14, LABEL.lower_clothes);
  cap(k.left_knee!, k.left_ankle!, 10, LABEL.lower_clothes);
  cap(k.right_hip!, k.right_knee!, 14, LABEL.lower_clothes);
  cap(k.right_knee!, k.right_ankle!, 10, LABEL.lower_clothes);
  paint([P(-34, 150), P(34, 150), P(34, 180), P(-34, 180)], LABEL.lower_clothes);
  paint([{ x: P(-38, 0).x - broad, y: P(0, 66).y }, { x: P(38, 0).x + broad, y: P(0, 66).y }, { x: P(34, 0).x + broad, y: P(0, 160).y }, { x: P(-34, 0).x - broad, y: P(0, 160).y }], LABEL.upper_clothes);
  cap(P(0, 45), P(0, 66), 9, LABEL.neck);
  cap(P(0, 18), P(0, 38), 17, LABEL.face);
  cap(P(0, 8), P(0, 14), 18, LABEL.hair);
  for (const side of ['left', 'right'] as const) {
    const l = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
    cap(k[`${side}_shoulder`]!, k[`${side}_elbow`]!, 9, l);
    cap(k[`${side}_elbow`]!, k[`${side}_wrist`]!, 7, l);
    cap(k[`${side}_wrist`]!, k[`${side}_wrist`]!, 7, LABEL.hands);
  }
  cap(P(-22, 305), P(-22, 310), 8, LABEL.shoes);
  cap(P(22, 305), P(22, 310), 8, LABEL.shoes);

  const image = new Uint8Array(width * height * 3);
  const skin = new Uint8Array(width * height);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const l = parsing[i];
    const c = PART_COLOURS[l];
    // A gentle left-to-right light falloff so shading has something to carry.
    const shade = 0.85 + 0.15 * ((i % width) / width);
    for (let ch = 0; ch < 3; ch++) image[i * 3 + ch] = Math.round(c[ch] * (l === LABEL.background ? 1 : shade));
    const isSkin = l === LABEL.face || l === LABEL.neck || l === LABEL.left_arm || l === LABEL.right_arm || l === LABEL.hands || l === LABEL.legs || l === LABEL.torso_skin;
    skin[i] = isSkin ? 230 : 10;
    mask[i] = l === LABEL.background ? 0 : 255;
  }
  // Short sleeves of the old tee: the upper arm near the shoulder is blue fabric, low skin.
  for (let i = 0; i < width * height; i++) {
    const l = parsing[i];
    if (l !== LABEL.left_arm && l !== LABEL.right_arm) continue;
    const y = Math.floor(i / width);
    if (y < 88 * s && !options.raiseLeftArm) {
      skin[i] = 10;
      image.set(PART_COLOURS[LABEL.upper_clothes], i * 3);
    }
  }
  const keypoints: Keypoint[] = KEYPOINT_NAMES.map((name) => {
    const p = k[name] ?? P(0, 30);
    return { name, x: p.x, y: p.y, nx: p.x / width, ny: p.y / height, z: name.includes('wrist') && options.armAcross ? -40 : 0, score: 0.99, presence: 0.99 };
  });
  return {
    key: `stick-${JSON.stringify(options)}`,
    width,
    height,
    image: { data: image, width, height, channels: 3 },
    keypoints,
    box: { x: cx - 60 * s, y: 0, width: 120 * s, height },
    score: 0.99,
    mask: { data: mask, width, height },
    parsing: { data: parsing, width, height },
    skin: { data: skin, width, height },
    skinColor: [200, 150, 120],
    openpose: [],
    posture: { seated: false, armsCrossed: false, handsInPockets: [], turned: false, openJacket: false },
    warnings: [],
    timings: {},
  };
}

export interface FlatGarmentOptions {
  category?: GarmentCategory;
  sleeve?: SleeveLength;
  color?: RGB;
  /** Stripes across the garment so the warp shows. */
  stripes?: boolean;
  width?: number;
  height?: number;
}

/** A flat garment on white with exact landmarks (front view: wearer's left on image right). */
export function flatGarment(options: FlatGarmentOptions = {}): GarmentAnalysis {
  const width = options.width ?? 300;
  const height = options.height ?? 400;
  const category = options.category ?? 'upper';
  const sleeve = options.sleeve ?? (category === 'lower' ? 'none' : 'short');
  const color = options.color ?? [220, 60, 40];
  const mask = new Uint8Array(width * height);
  const lm: Partial<Record<GarmentLandmarkName, Point>> = {};
  const P = (x: number, y: number): Point => ({ x: (x / 300) * width, y: (y / 400) * height });
  let poly: Point[];
  if (category === 'lower') {
    Object.assign(lm, {
      waistband_left: P(200, 20), waistband_right: P(100, 20), crotch: P(150, 140),
      bottom_left_in: P(160, 380), bottom_left_out: P(215, 380), bottom_right_in: P(140, 380), bottom_right_out: P(85, 380),
    });
    poly = [P(100, 20), P(200, 20), P(215, 380), P(160, 380), P(150, 140), P(140, 380), P(85, 380)];
  } else {
    const hemY = category === 'dress' ? 380 : 330;
    Object.assign(lm, {
      neckline_left: P(170, 40), neckline_right: P(130, 40), center_front: P(150, 60),
      shoulder_left: P(215, 55), shoulder_right: P(85, 55), armpit_left: P(210, 130), armpit_right: P(90, 130),
      top_hem_left: category === 'dress' ? P(205, 200) : P(210, hemY), top_hem_right: category === 'dress' ? P(95, 200) : P(90, hemY),
    });
    if (category === 'dress') Object.assign(lm, { hemline_left: P(240, 380), hemline_right: P(60, 380) });
    const cuffs = sleeve === 'long'
      ? { lo: P(265, 300), li: P(235, 305), ro: P(35, 300), ri: P(65, 305) }
      : sleeve === 'short'
        ? { lo: P(270, 115), li: P(245, 150), ro: P(30, 115), ri: P(55, 150) }
        : { lo: P(215, 55), li: P(210, 130), ro: P(85, 55), ri: P(90, 130) };
    Object.assign(lm, { cuff_left_out: cuffs.lo, cuff_left_in: cuffs.li, cuff_right_out: cuffs.ro, cuff_right_in: cuffs.ri });
    const bottomL = category === 'dress' ? P(240, 380) : P(210, hemY);
    const bottomR = category === 'dress' ? P(60, 380) : P(90, hemY);
    poly = sleeve === 'none'
      ? [P(130, 40), P(150, 60), P(170, 40), P(215, 55), P(210, 130), bottomL, bottomR, P(90, 130), P(85, 55)]
      : [P(130, 40), P(150, 60), P(170, 40), P(215, 55), cuffs.lo, cuffs.li, P(210, 130), bottomL, bottomR, P(90, 130), cuffs.ri, cuffs.ro, P(85, 55)];
  }
  fillPolygon(mask, width, height, poly, 255);
  const image = new Uint8Array(width * height * 3).fill(255);
  for (let i = 0; i < width * height; i++) {
    if (!mask[i]) continue;
    const y = Math.floor(i / width);
    const dark = options.stripes && Math.floor(y / (height / 20)) % 2 === 0 ? 0.55 : 1;
    for (let c = 0; c < 3; c++) image[i * 3 + c] = Math.round(color[c] * dark);
  }
  const type = category === 'lower' ? 'trousers' : category === 'dress' ? 'dress' : sleeve === 'none' ? 'tank' : sleeve === 'long' ? 'longsleeve' : 'tshirt';
  return {
    key: `flat-${JSON.stringify(options)}`,
    source: 'template',
    type,
    category,
    width,
    height,
    image: { data: image, width, height, channels: 3 },
    mask: { data: mask, width, height },
    landmarks: lm,
    sleeve,
    cropped: false,
    color,
    warnings: [],
  };
}
