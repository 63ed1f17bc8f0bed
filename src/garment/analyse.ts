/**
 * Garment analysis: everything the renderer needs to know about a garment photo, computed
 * once per garment (the pipeline caches it): the RGB pixels (recoloured when asked), a soft
 * mask, FashionAI landmarks of its category, sleeve length, cropped or not, the dominant
 * colour and warnings.
 *
 * @example
 *   const g = await analyseGarment(await readFile('tee.jpg'), { type: 'tshirt', color: '#1e90ff' });
 * @throws TryonError BAD_OPTION (unknown type/category, bad colour), BAD_INPUT /
 *   UNSUPPORTED_FORMAT / TOO_LARGE (from decoding), NO_GARMENT (no backdrop, nothing found).
 */
import { createHash } from 'node:crypto';
import { decodeImage, type DecodedImage } from '../image/decode.ts';
import { GARMENT_CATEGORIES, GARMENT_TYPES, type GarmentAnalysis, type GarmentCategory, type GarmentType, type Mask, type Point, type RGB } from '../types.ts';
import { invalid, oneOf, parseHexColor } from '../validate.ts';
import { dominantColor, recolor } from './color.ts';
import { maskLandmarks } from './landmarks.ts';
import { garmentMask } from './mask.ts';

export interface GarmentOptions {
  /** Name of the input for messages (a path, an upload field). */
  name?: string;
  /** Cache key (the pipeline passes sha256 of bytes + options); computed when absent. */
  key?: string;
  /** Garment type, one of GARMENT_TYPES. Default: derived from category ('tshirt', 'trousers', 'dress'). */
  type?: string;
  /** upper, lower or dress. Default: implied by type. */
  category?: string;
  /** Hex colour to retint the garment to (keeps shading and print contrast). */
  color?: string;
  /** Refuse photos with more pixels than this. Default 40 000 000. */
  maxPixels?: number;
}

const TYPE_NAMES = Object.keys(GARMENT_TYPES) as GarmentType[];
const DEFAULT_TYPE: Record<GarmentCategory, GarmentType> = { upper: 'tshirt', lower: 'trousers', dress: 'dress' };

/** Validates type/category/colour options: the type and category they name, and the colour. */
export function resolveGarmentOptions(options: GarmentOptions): { type: GarmentType; category: GarmentCategory; color: RGB | null } {
  if (options.type === undefined && options.category === undefined) {
    throw invalid('type', `one of ${TYPE_NAMES.join(', ')} (or a category: ${GARMENT_CATEGORIES.join(', ')})`, options.type);
  }
  const type = options.type === undefined ? undefined : oneOf('type', typeof options.type === 'string' ? options.type.toLowerCase() : options.type, TYPE_NAMES);
  const category = options.category === undefined ? undefined : oneOf('category', typeof options.category === 'string' ? options.category.toLowerCase() : options.category, GARMENT_CATEGORIES);
  const cat = category ?? GARMENT_TYPES[type as GarmentType];
  const color = options.color === undefined ? null : parseHexColor('color', options.color);
  return { type: type ?? DEFAULT_TYPE[cat], category: cat, color };
}

/** Moves `p` (in place) to the nearest pixel with mask >= 128 within `radius`, if it is not on one. */
export function snapToMask(p: Point, mask: Mask, radius: number): void {
  const at = (x: number, y: number): number => (x >= 0 && y >= 0 && x < mask.width && y < mask.height ? mask.data[y * mask.width + x] : 0);
  const x0 = Math.round(p.x), y0 = Math.round(p.y);
  if (at(x0, y0) >= 128) return;
  let best = Infinity, bx = x0, by = y0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const d = dx * dx + dy * dy;
      if (d < best && at(x0 + dx, y0 + dy) >= 128) { best = d; bx = x0 + dx; by = y0 + dy; }
    }
  }
  p.x = bx;
  p.y = by;
}

/** Decodes a garment photo as the analysis reads it (alpha kept). */
export function decodeGarment(bytes: Buffer | Uint8Array, options: GarmentOptions): Promise<DecodedImage> {
  return decodeImage(bytes, { name: options.name ?? 'garment image', maxPixels: options.maxPixels ?? 40_000_000, keepAlpha: true });
}

export async function analyseGarment(bytes: Buffer | Uint8Array, options: GarmentOptions): Promise<GarmentAnalysis> {
  resolveGarmentOptions(options);
  return analyseDecoded(await decodeGarment(bytes, options), options);
}

/** analyseGarment on a photo already decoded (decodeGarment): the pipeline decodes once to tell a worn garment from a product photo. */
export function analyseDecoded(decoded: DecodedImage, options: GarmentOptions): GarmentAnalysis {
  const name = options.name ?? 'garment image';
  const { type, category, color } = resolveGarmentOptions(options);
  const img = decoded.image;
  const W = img.width, H = img.height;
  const m = garmentMask(img, decoded.hasAlpha, name);
  const geo = maskLandmarks(m.work.bin, m.work.w, m.work.h, m.work.scale, category, m.L);
  // Landmarks come from the coarse work mask; the full-resolution edge may sit a few pixels
  // in from it (more where a shadow the work mask took in was trimmed), so each is moved onto
  // the nearest garment pixel.
  for (const p of Object.values(geo.landmarks)) if (p) snapToMask(p, m.mask, 5 * m.work.scale + 8);

  // RGB pixels (alpha dropped: the mask carries it).
  let rgb: Uint8Array;
  if (img.channels === 4) {
    rgb = new Uint8Array(W * H * 3);
    for (let i = 0, o = 0; i < W * H; i++, o += 4) {
      rgb[i * 3] = img.data[o];
      rgb[i * 3 + 1] = img.data[o + 1];
      rgb[i * 3 + 2] = img.data[o + 2];
    }
  } else {
    rgb = img.data;
  }
  const image = { data: rgb, width: W, height: H, channels: 3 as const };
  let dominant = dominantColor(image, m.mask.data, W * H);
  if (color) {
    recolor(image, m.mask.data, W * H, dominant, color);
    dominant = dominantColor(image, m.mask.data, W * H);
  }
  const key =
    options.key ??
    createHash('sha256').update(decoded.bytes).update(JSON.stringify({ type, category, color: options.color?.toLowerCase() })).digest('hex');
  return {
    key,
    source: 'photo',
    type,
    category,
    width: W,
    height: H,
    image,
    mask: m.mask,
    landmarks: geo.landmarks,
    sleeve: geo.sleeve,
    cropped: geo.cropped,
    color: dominant,
    // Each names the photo: a batch's log or a server's reply lists several.
    warnings: [...m.warnings, ...geo.warnings].map((w) => `${name}: ${w}`),
  };
}
