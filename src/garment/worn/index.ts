/**
 * A garment from a photo of someone wearing it (an on-model catalog shot, or any person
 * photo): the person analysis finds the wearer, the garment of the asked category is cut out
 * of the photo by the parsing (cut.ts, reusing the bare body's old-garment classifier), what
 * hair, arms and hands hid of it is filled from the garment around (fill.ts), and its
 * landmarks come from the wearer's keypoints and the garment's mask (landmarks.ts). The result
 * is a GarmentAnalysis like a product photo's, with source 'worn': the garment on white, a
 * soft mask, landmarks, sleeve length; the fit and the render take it as they take any other.
 *
 *   const person = await tryon.analysePerson('on-model.jpg');
 *   const g = wornGarment(person, { category: 'upper', key, name: 'on-model.jpg' });
 *
 * @throws TryonError NO_GARMENT when the photo shows too little of a garment of that category.
 */
import { TryonError } from '../../errors.ts';
import { personColours } from '../../bare/old-garment.ts';
import { skeleton, type Skeleton } from '../../bare/skeleton.ts';
import { GARMENT_TYPES, type Box, type GarmentAnalysis, type GarmentCategory, type GarmentType, type PersonAnalysis, type RGB } from '../../types.ts';
import { dominantColor, recolor } from '../color.ts';
import { cutGarment } from './cut.ts';
import { fillHoles } from './fill.ts';
import { wornShape, type WornShape } from './landmarks.ts';
import { flattenSleeves, type GarmentPlanes } from './flatten.ts';
import { notchNeckline } from './neckline.ts';

export interface WornOptions {
  category: GarmentCategory;
  /** The garment's type; default: read from the photo (skirt, shorts or trousers; tank, tshirt or longsleeve; dress). */
  type?: GarmentType;
  /** Colour to retint the garment to. */
  color?: RGB | null;
  /** Name of the input for messages. */
  name: string;
  key: string;
}

/** Least garment area, in shoulder widths squared, for a cut to count as a garment. */
const MIN_AREA = 0.15;
/** Margin kept around the garment in its image, pixels. */
const MARGIN = 8;

export function wornGarment(person: PersonAnalysis, options: WornOptions): GarmentAnalysis {
  const { category, name } = options;
  const sk = skeleton(person);
  const colours = personColours(person);
  const cut = cutGarment(person, sk, category, colours);
  const { box } = cut;
  const { width: w, height: h } = box;
  let area = 0;
  for (let k = 0; k < cut.seen.length; k++) area += cut.seen[k];
  if (area < MIN_AREA * sk.sw * sk.sw) {
    throw new TryonError('NO_GARMENT', `${name}: the photo shows a person, but no ${category} garment worn by them (${area} px of it found)`, {
      input: name,
      suggestion: `Check the garment's category, or use a product photo of it.`,
    });
  }
  const rgb = cropRgb(person, box);
  const filled = fillHoles({ width: w, height: h, rgb, seen: cut.seen, holes: cut.holes, grainSize: Math.min(24, Math.max(8, Math.round(0.07 * sk.sw))), seed: seedOf(person.key) });
  const inside = new Uint8Array(w * h);
  for (let k = 0; k < inside.length; k++) inside[k] = cut.seen[k] || filled[k] || cut.holes[k] ? 1 : 0;
  const shape = wornShape({ inside, seen: cut.seen, x0: box.x, y0: box.y, width: w, height: h }, person, sk, category, cut.sleeveEnds);
  let planes: GarmentPlanes = { box, rgb, alpha: softAlpha(person, box, inside) };
  let landmarks = shape.landmarks;
  if (category !== 'lower' && shape.sleeve !== 'none') {
    ({ planes, landmarks } = flattenSleeves(planes, person, sk, landmarks, category === 'dress' ? 'hemline' : 'top_hem', cut.sleeveEnds));
    notchNeckline(planes.alpha, planes.box, landmarks);
  }
  dropSpecks(planes);
  return assemble(person, options, planes, { ...shape, landmarks }, sk);
}

/** Clears the alpha of 8-connected bits of garment under 0.5 % of the largest's area (a stray rim pixel, a fleck the sleeves' move left behind). */
function dropSpecks(p: GarmentPlanes): void {
  const { width: w, height: h } = p.box;
  const id = new Int32Array(w * h).fill(-1);
  const parts: number[][] = [];
  for (let k = 0; k < id.length; k++) {
    if (!p.alpha[k] || id[k] >= 0) continue;
    const members = [k];
    id[k] = parts.length;
    for (let q = 0; q < members.length; q++) {
      const m = members[q];
      const x = m % w;
      const y = (m - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (p.alpha[j] && id[j] < 0) (id[j] = parts.length), members.push(j);
        }
      }
    }
    parts.push(members);
  }
  const largest = Math.max(0, ...parts.map((m) => m.length));
  for (const m of parts) if (m.length < 0.005 * largest) for (const k of m) p.alpha[k] = 0;
}

/** The photo's RGB bytes over the crop. */
function cropRgb(person: PersonAnalysis, box: Box): Uint8Array {
  const { image } = person;
  const out = new Uint8Array(box.width * box.height * 3);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const o = ((box.y + y) * person.width + box.x + x) * image.channels;
      const k = (y * box.width + x) * 3;
      out[k] = image.data[o];
      out[k + 1] = image.data[o + 1];
      out[k + 2] = image.data[o + 2];
    }
  }
  return out;
}

/**
 * The garment's alpha: the person mask's own soft edge where the garment meets the backdrop
 * (its rim pixels just outside taken too), opaque inside, and where it meets the rest of the
 * body (a neckline, a sleeve's end) a little below opaque on its last pixel.
 */
function softAlpha(person: PersonAnalysis, box: Box, inside: Uint8Array): Uint8Array {
  const { width: w, height: h } = box;
  const alpha = new Uint8Array(w * h);
  const maskAt = (x: number, y: number): number => person.mask.data[(box.y + y) * person.width + box.x + x];
  const at = (x: number, y: number): number => (x >= 0 && y >= 0 && x < w && y < h ? inside[y * w + x] : 0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      const near = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1);
      const m = maskAt(x, y);
      if (inside[k]) alpha[k] = near === 4 ? 255 : m < 250 ? m : 200;
      else if (near > 0 && m < 128) alpha[k] = m;
    }
  }
  return alpha;
}

/** The analysis: the garment over white in its own box, the landmarks moved into it, the type read from the photo when not given. */
function assemble(person: PersonAnalysis, options: WornOptions, planes: GarmentPlanes, shape: WornShape, sk: Skeleton): GarmentAnalysis {
  const { box, rgb, alpha } = planes;
  const bounds = boundsOf(alpha, box.width, box.height, MARGIN);
  const { x: bx, y: by, width: W, height: H } = bounds;
  const data = new Uint8Array(W * H * 3);
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = (by + y) * box.width + bx + x;
      const o = y * W + x;
      const a = alpha[k];
      mask[o] = a;
      for (let c = 0; c < 3; c++) data[o * 3 + c] = Math.round((rgb[k * 3 + c] * a + 255 * (255 - a)) / 255);
    }
  }
  const image = { data, width: W, height: H, channels: 3 as const };
  const ox = box.x + bx;
  const oy = box.y + by;
  const landmarks = Object.fromEntries(Object.entries(shape.landmarks).map(([k, p]) => [k, { x: p!.x - ox, y: p!.y - oy }]));
  let color = dominantColor(image, mask, W * H);
  if (options.color) {
    recolor(image, mask, W * H, color, options.color);
    color = dominantColor(image, mask, W * H);
  }
  const warnings = person.warnings.map((w) => `wearer: ${w}`);
  if (sk.sw < 0.08 * person.height) warnings.push('the wearer is small in the photo: the garment is cut out at low resolution');
  if (shape.cutByFrame) warnings.push(`the ${options.category} garment runs out of the photo at its bottom edge: its length there is a guess`);
  return {
    key: options.key,
    source: 'worn',
    type: options.type ?? typeOf(options.category, shape),
    category: options.category,
    width: W,
    height: H,
    image,
    mask: { data: mask, width: W, height: H },
    landmarks,
    sleeve: options.category === 'lower' ? 'none' : shape.sleeve,
    cropped: shape.cropped,
    color,
    warnings,
  };
}

/** The type the photo shows, when none was given. */
function typeOf(category: GarmentCategory, shape: WornShape): GarmentType {
  if (category === 'dress') return 'dress';
  if (category === 'lower') return shape.skirt ? 'skirt' : shape.shorts ? 'shorts' : 'trousers';
  const t: GarmentType = shape.sleeve === 'none' ? 'tank' : shape.sleeve === 'long' ? 'longsleeve' : 'tshirt';
  return GARMENT_TYPES[t] === 'upper' ? t : 'tshirt';
}

/** The bounding box of the non-zero pixels, grown by `margin` (the whole plane when empty). */
function boundsOf(alpha: Uint8Array, w: number, h: number, margin: number): Box {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!alpha[y * w + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return { x: 0, y: 0, width: w, height: h };
  const X0 = Math.max(0, x0 - margin);
  const Y0 = Math.max(0, y0 - margin);
  return { x: X0, y: Y0, width: Math.min(w, x1 + margin + 1) - X0, height: Math.min(h, y1 + margin + 1) - Y0 };
}

/** A repeatable seed from the analysis key: one photo always gives one garment. */
function seedOf(key: string): number {
  let s = 0;
  for (let i = 0; i < 8; i++) s = (s * 31 + parseInt(key.slice(i * 2, i * 2 + 2) || '0', 16)) >>> 0;
  return s;
}
