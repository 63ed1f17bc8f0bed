/**
 * Built-in garments, drawn when a request names only a type and a colour. The outline and
 * details are SVG (shapes.ts) rendered by sharp/librsvg (offline, anti-aliased); fabric is
 * added in TypeScript: cylinder shading across the body, low-frequency vertical folds, a fine
 * weave noise (a diagonal twill for jeans). The landmarks are exact because the shapes are
 * built from them.
 *
 * Every known type maps to its nearest template: shirt, blouse, sweater -> longsleeve;
 * top -> tshirt; jeans -> trousers with a denim twill; shorts -> short trousers.
 *
 * @example renderTemplate('polo', '#1e90ff') // 768x1024 navy-blue polo on white
 * @throws TryonError BAD_OPTION for an unknown type, a bad colour or a bad size.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { GARMENT_TYPES, type FoundLandmarks, type GarmentAnalysis, type GarmentLandmarkName, type GarmentType, type Point, type RGB } from '../types.ts';
import { integerIn, oneOf, parseHexColor } from '../validate.ts';
import { labToRgb, rgbToLab, toHex } from './color.ts';
import { shapeOf, type TemplateName } from './shapes.ts';

/** The template drawn for each garment type. */
export const TEMPLATE_OF: Record<GarmentType, TemplateName> = {
  tshirt: 'tshirt',
  polo: 'polo',
  shirt: 'longsleeve',
  top: 'tshirt',
  blouse: 'longsleeve',
  sweater: 'longsleeve',
  tank: 'tank',
  longsleeve: 'longsleeve',
  trousers: 'trousers',
  jeans: 'trousers',
  shorts: 'shorts',
  skirt: 'skirt',
  dress: 'dress',
};

const BASE_W = 768;
const BASE_H = 1024;

function tint(c: RGB, dL: number): string {
  const [L, a, b] = rgbToLab(...c);
  // On very dark cloth, details show as lighter thread instead of darker.
  const d = L < 28 && dL < 0 ? -dL * 0.7 : dL;
  return toHex(labToRgb(Math.max(0, Math.min(100, L + d)), a, b));
}

/** Deterministic pseudo-random numbers (mulberry32) so a template is the same every time. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function renderTemplate(type: GarmentType | string, color: string, size: { width: number; height: number } = { width: BASE_W, height: BASE_H }): Promise<GarmentAnalysis> {
  const t = oneOf('type', typeof type === 'string' ? type.toLowerCase() : type, Object.keys(GARMENT_TYPES) as GarmentType[]);
  const rgb = parseHexColor('color', color);
  const W = integerIn('size.width', size?.width, 64, 8192);
  const H = integerIn('size.height', size?.height, 64, 8192);
  const shape = shapeOf(TEMPLATE_OF[t], t === 'jeans');

  // Fit the 768x1024 frame into the asked size, centred.
  const s = Math.min(W / BASE_W, H / BASE_H);
  const ox = (W - BASE_W * s) / 2;
  const oy = (H - BASE_H * s) / 2;
  const fill = toHex(rgb);
  const details = shape.details
    .replaceAll('{darker}', tint(rgb, -24))
    .replaceAll('{dark}', tint(rgb, -12))
    .replaceAll('{light}', tint(rgb, 12));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    `<defs><clipPath id="g"><path d="${shape.outline}"/></clipPath></defs>` +
    `<g transform="translate(${ox} ${oy}) scale(${s})">` +
    `<path d="${shape.outline}" fill="${fill}"/>` +
    `<g clip-path="url(#g)">${details}</g></g></svg>`;
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });

  // Fabric: shading factors applied to the drawn colour.
  const rand = rng([...`${t}${fill}`].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 2166136261));
  const ph = Array.from({ length: 6 }, () => rand() * Math.PI * 2);
  const [bl, br] = shape.body.map((x) => ox + x * s);
  const bc = (bl + br) / 2;
  const bh = Math.max(1, (br - bl) / 2);
  const image = new Uint8Array(W * H * 3);
  const mask = new Uint8Array(W * H);
  const grain = rng(12345);
  for (let y = 0; y < H; y++) {
    const yb = (y - oy) / s;
    const drape = 0.5 + 0.5 * Math.min(1, Math.max(0, (yb - 200) / 700));
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const a = data[i * 4 + 3];
      mask[i] = a;
      const n = grain();
      if (a === 0) {
        image.set([255, 255, 255], i * 3);
        continue;
      }
      const xb = (x - ox) / s;
      const u = Math.min(1.3, Math.abs(x - bc) / bh);
      let f = 0.035 - 0.09 * u * u;
      f += drape * 0.05 * Math.sin((2 * Math.PI * xb) / 96 + ph[0] + 1.4 * Math.sin((2 * Math.PI * yb) / 430 + ph[1]));
      f += drape * 0.025 * Math.sin((2 * Math.PI * xb) / 41 + ph[2] + 0.9 * Math.sin((2 * Math.PI * yb) / 260 + ph[3]));
      f += 0.02 * Math.sin((2 * Math.PI * yb) / 180 + ph[4]) * Math.sin((2 * Math.PI * xb) / 150 + ph[5]);
      if (shape.denim) f += 0.06 * Math.sin((2 * Math.PI * (xb + yb)) / 4.2) + (n - 0.5) * 0.12;
      else f += (n - 0.5) * 0.035 + 0.012 * Math.sin(xb * 2.1) * Math.sin(yb * 2.1);
      const w = a / 255;
      for (let c = 0; c < 3; c++) {
        const v = data[i * 4 + c];
        // Shade toward black below 1, toward white above, so pale colours still show folds.
        const shaded = f < 0 ? v * (1 + f) : v + (255 - v) * f * 0.8;
        image[i * 3 + c] = Math.round(Math.max(0, Math.min(255, shaded)) * w + 255 * (1 - w));
      }
    }
  }
  const landmarks: FoundLandmarks = {};
  for (const [name, pt] of Object.entries(shape.landmarks) as [GarmentLandmarkName, Point][]) {
    landmarks[name] = { x: Math.round((ox + pt.x * s) * 10) / 10, y: Math.round((oy + pt.y * s) * 10) / 10 };
  }
  return {
    key: createHash('sha256').update(`template:${t}:${fill}:${W}x${H}`).digest('hex'),
    source: 'template',
    type: t,
    category: GARMENT_TYPES[t],
    width: W,
    height: H,
    image: { data: image, width: W, height: H, channels: 3 },
    mask: { data: mask, width: W, height: H },
    landmarks,
    sleeve: shape.sleeve,
    cropped: shape.cropped,
    color: rgb,
    warnings: [],
  };
}
