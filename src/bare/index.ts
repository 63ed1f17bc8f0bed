/**
 * The bare body: the person photo with the old garment of a category taken off, computed once
 * per person and category and used by every render of that person as the layer under the new
 * garment. No learned model: the method is classical and built from the photo itself.
 *
 *   const bare = bareBody(person, 'upper');
 *   bare.image;  // RGB over bare.box: the photo there, without the old top
 *
 * 1. Old garment (old-garment.ts): the parsing's clothes, old sleeves and cuffs, grown 2 px.
 * 2. Body under it (shape.ts): tapered limbs sized from the visible skin, a torso following
 *    tight clothes, a neck; old garment on the body becomes skin, old garment off the body that
 *    reaches the backdrop becomes backdrop (thin slivers enclosed by the body become skin).
 * 3. Skin: the visible skin's colour, shaded by the body's normals under the photo's fitted
 *    light (shading.ts), with the person's own skin grain laid by example (grain.ts), then a
 *    membrane (membrane.ts) so it meets the real skin without a step.
 * 4. Backdrop (backdrop.ts): a membrane of the surrounding backdrop with its grain.
 */
import { LABEL, type Box, type GarmentCategory, type PersonAnalysis, type RawImage, type RGB } from '../types.ts';
import { fillBackdrop } from './backdrop.ts';
import { boxBlur, grainSource, layGrain, noiseGrain, relativeDetail, textureLevel } from './grain.ts';
import { solveMembrane } from './membrane.ts';
import { growInto, medianColour, oldGarment, personColours, type PersonColours } from './old-garment.ts';
import { fitLight, shadeAt, type Light } from './shading.ts';
import { GROUP, limbs, rasterBody, torsoShape, type BodyRaster } from './shape.ts';
import { adopt, inflate, type Normals } from './inflate.ts';
import { distanceTo } from '../image/distance.ts';
import { components, erode4, flood, touches } from '../image/pixels.ts';
import { skeleton, type Skeleton } from './skeleton.ts';
import { boundsOver } from '../person/mask.ts';

/** An inclusive pixel rectangle over the crop. */
type Bounds = NonNullable<ReturnType<typeof boundsOver>>;

export interface BareBody {
  category: GarmentCategory;
  /** The part of the photo the layer covers; the photo itself everywhere else. */
  box: Box;
  /** RGB bytes over the box. */
  image: Uint8Array;
  /** Over the box, 0/255: where skin was synthesised. */
  skin: Uint8Array;
  /** Over the box, 0/255: where backdrop was filled in (where old garment stood off the body, and the backdrop's rim it tinted). */
  backdrop: Uint8Array;
  /** Over the box, 0/255: where the old garment was (its photo luminance shades the new garment). */
  old: Uint8Array;
  /**
   * Over the box, 0/255: where the layer shows an arm (its real skin, or skin synthesised on
   * the arm's shape): what passes in front of a new garment's body, with the arm's own outline
   * rather than the old sleeve's.
   */
  arms: Uint8Array;
  /** The bounding box (photo pixels) of what the layer changed: a render must cover it. Empty (0 x 0) when nothing changed. */
  changed: Box;
  warnings: string[];
  /** Milliseconds per step. */
  timings: Record<string, number>;
}

/**
 * The most laid grain is strengthened. Patches laid and blended come out smoother than their
 * source, but strengthened three times a neck's few pores and shadows became an
 * orange peel over a whole torso.
 */
const MAX_GRAIN_GAIN = 2;

/** The distance (shoulder widths) over which the membrane's correction fades to a third. */
const MEMBRANE_FADE = 0.3;

/** How far (px) removed cloth's colour bleeds into the backdrop beside it, which is filled too. */
const BLEED = 6;

/** The skin tone used when the photo shows no skin at all (gloves, a balaclava): a mid tone, with a warning. */
export const NEUTRAL_SKIN: RGB = [196, 158, 136];

const SKIN_LABELS = new Set<number>([LABEL.face, LABEL.neck, LABEL.left_arm, LABEL.right_arm, LABEL.hands, LABEL.legs, LABEL.torso_skin]);

/** The crop the layer covers: the person's box grown by a fifth of a shoulder width. */
export function bareBox(person: PersonAnalysis, sk: Skeleton): Box {
  const m = Math.round(0.2 * sk.sw);
  const x0 = Math.max(0, person.box.x - m);
  const y0 = Math.max(0, person.box.y - m);
  const x1 = Math.min(person.width, person.box.x + person.box.width + m);
  const y1 = Math.min(person.height, person.box.y + person.box.height + m);
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/** The crop's RGB bytes, luminance, labels, skin likelihood and silhouette. */
interface CropPlanes {
  box: Box;
  rgb: Uint8Array;
  lum: Float32Array;
  label: Uint8Array;
  likelihood: Uint8Array;
  silhouette: Uint8Array;
}

function cropPlanes(person: PersonAnalysis, box: Box): CropPlanes {
  const n = box.width * box.height;
  const out: CropPlanes = { box, rgb: new Uint8Array(n * 3), lum: new Float32Array(n), label: new Uint8Array(n), likelihood: new Uint8Array(n), silhouette: new Uint8Array(n) };
  const ch = person.image.channels;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const i = (box.y + y) * person.width + box.x + x;
      const k = y * box.width + x;
      const o = i * ch;
      const r = person.image.data[o];
      const g = person.image.data[o + (ch > 1 ? 1 : 0)];
      const b = person.image.data[o + (ch > 2 ? 2 : 0)];
      out.rgb[k * 3] = r;
      out.rgb[k * 3 + 1] = g;
      out.rgb[k * 3 + 2] = b;
      out.lum[k] = 0.299 * r + 0.587 * g + 0.114 * b;
      out.label[k] = person.parsing.data[i];
      out.likelihood[k] = person.skin.data[i];
      out.silhouette[k] = person.mask.data[i] >= 128 ? 1 : 0;
    }
  }
  return out;
}

/**
 * Splits the old garment off the body into backdrop (what reaches the photo's backdrop, or a
 * wide enclosed gap) and skin (thin slivers the body encloses: a tight top's edge between arm
 * and torso that the shape missed).
 */
function splitOffBody(c: CropPlanes, old: Uint8Array, body: Uint8Array, sk: Skeleton): { skin: Uint8Array; backdrop: Uint8Array } {
  const { width: w, height: h } = c.box;
  const n = w * h;
  const off = new Uint8Array(n);
  for (let k = 0; k < n; k++) off[k] = old[k] && !body[k] ? 1 : 0;
  // Seeds: off-body old garment touching the photo's backdrop, or the crop's edge.
  const backdrop0 = new Uint8Array(n);
  for (let k = 0; k < n; k++) backdrop0[k] = !old[k] && (c.label[k] === LABEL.background || !c.silhouette[k]) ? 1 : 0;
  const seeds = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0, k = y * w; x < w; x++, k++) {
      if (off[k] && (x === 0 || y === 0 || x === w - 1 || y === h - 1 || touches(backdrop0, k, x, y, w, h))) seeds[k] = 1;
    }
  }
  const reached = flood(seeds, off, w, h);
  // Enclosed components: wide ones are gaps (backdrop), thin ones body.
  const enclosed = new Uint8Array(n);
  for (let k = 0; k < n; k++) enclosed[k] = off[k] && !reached[k] ? 1 : 0;
  const { labels, members } = components(enclosed, w, h);
  const r = Math.max(2, Math.round(0.04 * sk.sw));
  const wide = members.map((m) => m.some((k) => isDeep(off, w, h, k, r)));
  const skin = new Uint8Array(n);
  const backdrop = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    if (!off[k]) continue;
    if (reached[k] || wide[labels[k]]) backdrop[k] = 1;
    else skin[k] = 1;
  }
  return { skin, backdrop };
}

/** Whether the (2r+1)^2 square around pixel k lies wholly in the mask (sampled on its outline). */
function isDeep(mask: Uint8Array, w: number, h: number, k: number, r: number): boolean {
  const x = k % w;
  const y = (k / w) | 0;
  if (x < r || y < r || x + r >= w || y + r >= h) return false;
  for (let d = -r; d <= r; d++) {
    if (!mask[(y - r) * w + x + d] || !mask[(y + r) * w + x + d] || !mask[(y + d) * w + x - r] || !mask[(y + d) * w + x + r]) return false;
  }
  return true;
}

/**
 * The visible skin's tone: the median of the body's bare skin (a face is often made up and lit
 * apart, so it counts only when nothing else shows); the neutral tone, with a warning, when
 * no skin shows at all.
 */
function skinTone(person: PersonAnalysis, colours: PersonColours, warnings: string[]): RGB {
  // Without a skin model an arm's label is no evidence of skin (it may be a sleeve).
  const tone = colours.skinModel
    ? (medianColour(person, [LABEL.neck, LABEL.left_arm, LABEL.right_arm, LABEL.hands, LABEL.legs, LABEL.torso_skin], (i) => person.skin.data[i] >= 200) ?? medianColour(person, [LABEL.face], (i) => person.skin.data[i] >= 200))
    : colours.skin;
  if (!tone) warnings.push(`no visible skin: synthesised skin uses a neutral tone (${NEUTRAL_SKIN.join(', ')})`);
  return tone ?? NEUTRAL_SKIN;
}

/**
 * Real skin in the crop: kept (not old garment), on the person, a skin label and (with a model)
 * skin-like, in pieces of a body's size: a skin-coloured print's spots the parsing called legs
 * or arms are not skin to match or to copy grain from.
 */
function realSkin(c: CropPlanes, old: Uint8Array, colours: PersonColours, minArea: number): Uint8Array {
  const { width: w, height: h } = c.box;
  const n = c.label.length;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    if (old[k] || !c.silhouette[k] || !SKIN_LABELS.has(c.label[k])) continue;
    if (colours.skinModel ? c.likelihood[k] >= 128 : c.label[k] !== LABEL.left_arm && c.label[k] !== LABEL.right_arm) out[k] = 1;
  }
  for (const m of components(out, w, h).members) if (m.length < minArea) for (const k of m) out[k] = 0;
  return out;
}

/** Seeds the random patch choices from the photo, so one photo always gives one bare body. */
function seedOf(person: PersonAnalysis): number {
  let s = 0;
  for (let i = 0; i < 8; i++) s = (s * 31 + parseInt(person.key.slice(i * 2, i * 2 + 2) || '0', 16)) >>> 0;
  return s;
}

/** Synthesised skin over `region`: tone x shade x (1 + grain), then the membrane that meets the real skin. */
function synthSkin(c: CropPlanes, region: Uint8Array, normals: Normals, real: Uint8Array, exemplar: Uint8Array, light: Light, tone: RGB, grain: Float32Array, sw: number): Float32Array {
  const { width: w, height: h } = c.box;
  const n = w * h;
  const synth = new Float32Array(n * 3);
  const lum = new Float32Array(n);
  const bounds = boundsOver({ data: region, width: w, height: h }, 1);
  const shade = smoothShade(region, bounds, normals, light, w, h, Math.max(2, Math.round(0.04 * sw)));
  for (let k = 0; k < n; k++) {
    if (!region[k]) continue;
    const s = shade[k] * (1 + grain[k]);
    for (let ch = 0; ch < 3; ch++) synth[k * 3 + ch] = tone[ch] * s;
    lum[k] = 0.299 * synth[k * 3] + 0.587 * synth[k * 3 + 1] + 0.114 * synth[k * 3 + 2];
  }
  // The grain's strength matched to the person's own skin's texture level: patches laid and
  // blended come out smoother than the skin they were cut from.
  const gain = grainGain(c, lum, region, exemplar);
  if (gain !== 1) {
    for (let k = 0; k < n; k++) {
      if (!region[k]) continue;
      for (let ch = 0; ch < 3; ch++) synth[k * 3 + ch] += tone[ch] * shade[k] * grain[k] * (gain - 1);
    }
  }
  // The membrane's fixed values: at region pixels touching real skin, the real skin's local
  // mean minus the synthesised skin's (3x3 each side, so grain does not set the level).
  // (The real skin's mean a few pixels in: its first pixels can still be tinted by the cloth.)
  const realInner = erode4(real, w, h, 1);
  const fixed = new Uint8Array(n);
  const values = new Float32Array(n * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (!region[k] || !touches(real, k, x, y, w, h)) continue;
      const realMean = localMean(c.rgb, realInner, w, h, x, y, 4);
      const synthMean = localMean(synth, region, w, h, x, y, 1);
      if (!realMean || !synthMean) continue;
      fixed[k] = 1;
      for (let ch = 0; ch < 3; ch++) values[k * 3 + ch] = realMean[ch] - synthMean[ch];
    }
  }
  const m = solveMembrane({ width: w, height: h, region, fixed, values, channels: 3 });
  // The membrane matches the real skin where they meet and fades away from it: the skin at a
  // sleeve's edge is in the sleeve's shadow, and carried over a whole torso or thigh that
  // shadow made a dark, flat block (the membrane alone is harmonic: the region's inside is the
  // mean of its border's offsets however far it lies from them).
  const fade = MEMBRANE_FADE * sw;
  const b = bounds;
  if (!b) return synth;
  const bw = b.x1 - b.x0 + 1;
  const bh = b.y1 - b.y0 + 1;
  const fixedBox = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) fixedBox.set(fixed.subarray((b.y0 + y) * w + b.x0, (b.y0 + y) * w + b.x1 + 1), y * bw);
  const d = distanceTo(fixedBox, bw, bh);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const k = (b.y0 + y) * w + b.x0 + x;
      if (!region[k]) continue;
      const f = Math.exp(-d[y * bw + x] / fade);
      for (let ch = 0; ch < 3; ch++) synth[k * 3 + ch] += m[k * 3 + ch] * f;
    }
  }
  return synth;
}

/**
 * The shade of synthesised skin: the light on the body's normals, smoothed within the region
 * (a box blur of radius r, twice, weighted by the region). Where one body group's surface meets
 * another's (an arm's adopted cloth against the trunk) their normals jump, and unsmoothed the
 * shade steps by a fifth there: a hard seam down the side of the body.
 */
function smoothShade(region: Uint8Array, bounds: Bounds | null, normals: Normals, light: Light, w: number, h: number, r: number): Float32Array {
  const out = new Float32Array(w * h);
  // Over the region's bounding box (grown by the blurs' reach) only: a top's region is a
  // fraction of the person's box.
  if (!bounds) return out;
  const b = { x0: Math.max(0, bounds.x0 - 2 * r), y0: Math.max(0, bounds.y0 - 2 * r), x1: Math.min(w - 1, bounds.x1 + 2 * r), y1: Math.min(h - 1, bounds.y1 + 2 * r) };
  const bw = b.x1 - b.x0 + 1;
  const bh = b.y1 - b.y0 + 1;
  const raw = new Float32Array(bw * bh);
  const weight = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const k = (b.y0 + y) * w + b.x0 + x;
      if (!region[k]) continue;
      raw[y * bw + x] = Math.min(Math.max(shadeAt(light, normals.nx[k], normals.ny[k], normals.nz[k]), 0.5), 1.25);
      weight[y * bw + x] = 1;
    }
  }
  const num = boxBlur(boxBlur(raw, bw, bh, r), bw, bh, r);
  const den = boxBlur(boxBlur(weight, bw, bh, r), bw, bh, r);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const j = y * bw + x;
      const k = (b.y0 + y) * w + b.x0 + x;
      if (region[k]) out[k] = den[j] > 1e-6 ? num[j] / den[j] : raw[j];
    }
  }
  return out;
}

/** How much to strengthen laid grain so its texture level matches the exemplar skin's (1 to MAX_GRAIN_GAIN; 1 when either is unmeasurable). */
function grainGain(c: CropPlanes, synthLum: Float32Array, region: Uint8Array, real: Uint8Array): number {
  const { width: w, height: h } = c.box;
  const want = textureLevel(c.lum, w, h, erode4(real, w, h, 2));
  const got = textureLevel(synthLum, w, h, region);
  if (want.blocks < 3 || got.blocks < 3 || got.level < 1e-3) return 1;
  return Math.min(Math.max(want.level / got.level, 1), MAX_GRAIN_GAIN);
}

/** Mean RGB of the pixels `mask` sets within r of (x, y); null when none. */
function localMean(rgb: ArrayLike<number>, mask: Uint8Array, w: number, h: number, x: number, y: number, r: number): number[] | null {
  const acc = [0, 0, 0];
  let m = 0;
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
      const j = yy * w + xx;
      if (!mask[j]) continue;
      m++;
      for (let c = 0; c < 3; c++) acc[c] += rgb[j * 3 + c];
    }
  }
  return m ? acc.map((v) => v / m) : null;
}


/** Takes the old garment of `category` off the person photo. */
export function bareBody(person: PersonAnalysis, category: GarmentCategory): BareBody {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const warnings: string[] = [];
  const sk = skeleton(person);
  const colours = personColours(person);
  const box = bareBox(person, sk);
  const c = cropPlanes(person, box);
  const { width: w, height: h } = box;
  const n = w * h;
  const old = oldGarment(person, sk, category, box, colours);
  lap('old');
  const limbList = limbs(person, sk);
  const torso = torsoShape(person, sk);
  const raster = rasterBody(box, limbList, torso);
  const body = new Uint8Array(n);
  for (let k = 0; k < n; k++) body[k] = raster.front[k] && c.silhouette[k] ? 1 : 0;
  const off = splitOffBody(c, old, body, sk);
  const skin = new Uint8Array(n);
  for (let k = 0; k < n; k++) skin[k] = (old[k] && body[k]) || off.skin[k] ? 1 : 0;
  adopt(raster, skin);
  const reach = 0.2 * sk.sw;
  const normals = inflate(raster, c.silhouette, reach);
  lap('shape');

  const real = realSkin(c, old, colours, Math.round((0.15 * sk.sw) ** 2));
  const lightNormals = normals;
  const lightSamples = erode4(real, w, h, 1);
  for (let k = 0; k < n; k++) if (c.label[k] === LABEL.face || c.label[k] === LABEL.hands) lightSamples[k] = 0;
  const light = fitLight(lightNormals, c.lum, lightSamples);
  const tone = skinTone(person, colours, warnings);
  const seed = seedOf(person);
  const grainSize = Math.min(24, Math.max(8, Math.round(0.07 * sk.sw)));
  const detail = relativeDetail(c.lum, w, h);
  // The grain's exemplar: the body's skin, not the face's (brows, lashes, lips and stubble
  // repeated over an arm read as worms) nor the hands' (knuckles, the gaps between fingers),
  // unless those are all the skin there is.
  const bodySkin = real.slice();
  for (let k = 0; k < n; k++) if (c.label[k] === LABEL.face || c.label[k] === LABEL.hands) bodySkin[k] = 0;
  const bodySource = grainSource(detail, erode4(bodySkin, w, h, 2), w, h, grainSize, seed);
  const exemplar = bodySource ? bodySkin : real;
  const source = bodySource ?? grainSource(detail, erode4(real, w, h, 2), w, h, grainSize, seed);
  const grain = source ? layGrain(source, w, h, skin, seed + 7) : noiseGrain(w, h, 0.01, seed + 7);
  const skinRgb = synthSkin(c, skin, normals, real, exemplar, light, tone, grain, sk.sw);
  lap('skin');

  const backdropPx = new Uint8Array(n);
  for (let k = 0; k < n; k++) backdropPx[k] = !old[k] && (c.label[k] === LABEL.background || !c.silhouette[k]) ? 1 : 0;
  const fallback = medianColour(person, [LABEL.background]) ?? [235, 235, 235];
  // The backdrop right beside removed cloth is tinted by it (JPEG carries a red sleeve's colour
  // several pixels out): that rim is filled too, from the backdrop beyond it.
  const rim = growInto(off.backdrop, w, h, BLEED, backdropPx);
  for (let k = 0; k < n; k++) if (rim[k]) backdropPx[k] = 0;
  dropOutliers(c.rgb, backdropPx);
  const backdropRgb = fillBackdrop({ width: w, height: h, rgb: c.rgb, detail, hole: rim, backdrop: backdropPx, fallback, grainSize, seed: seed + 13 });
  off.backdrop.set(rim);
  lap('backdrop');

  const image = c.rgb.slice();
  const skinMask = new Uint8Array(n);
  const backdropMask = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const src = skin[k] ? skinRgb : off.backdrop[k] ? backdropRgb : null;
    if (!src) continue;
    for (let ch = 0; ch < 3; ch++) image[k * 3 + ch] = Math.max(0, Math.min(255, Math.round(src[k * 3 + ch])));
    if (skin[k]) skinMask[k] = 255;
    else backdropMask[k] = 255;
  }
  featherSeams(image, skin, off.backdrop, w, h);
  const arms = armPixels(c, raster, old, off.backdrop, colours);
  lap('compose');
  if (light.samples === 0) warnings.push('too little visible skin to read the light from: synthesised skin is lit from the front');
  const oldMask = new Uint8Array(n);
  for (let k = 0; k < n; k++) if (old[k]) oldMask[k] = 255;
  return { category, box, image, skin: skinMask, backdrop: backdropMask, old: oldMask, arms, changed: changedBox(box, skinMask, backdropMask), warnings, timings };
}

/** The arms the layer shows: synthesised skin on an arm's shape, and the photo's own bare arms. */
function armPixels(c: CropPlanes, raster: BodyRaster, old: Uint8Array, backdrop: Uint8Array, colours: PersonColours): Uint8Array {
  const out = new Uint8Array(old.length);
  for (let k = 0; k < old.length; k++) {
    const armShape = raster.front[k] === GROUP.leftArm || raster.front[k] === GROUP.rightArm;
    if (old[k]) {
      if (armShape && !backdrop[k]) out[k] = 255;
    } else if ((c.label[k] === LABEL.left_arm || c.label[k] === LABEL.right_arm) && c.silhouette[k] && (!colours.skinModel || c.likelihood[k] >= 128)) out[k] = 255;
  }
  return out;
}

/** The bounding box, in photo pixels, of the layer's synthesised pixels. */
function changedBox(box: Box, skin: Uint8Array, backdrop: Uint8Array): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const k = y * box.width + x;
      if (!skin[k] && !backdrop[k]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? { x: box.x, y: box.y, width: 0, height: 0 } : { x: box.x + x0, y: box.y + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * On a plain backdrop, drops the "backdrop" pixels far from its median colour (a shoe, a dark
 * trouser hem the person mask missed): they would stain the fill. A busy backdrop keeps all.
 */
function dropOutliers(rgb: Uint8Array, backdrop: Uint8Array): void {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let k = 0; k < backdrop.length; k++) {
    if (!backdrop[k]) continue;
    for (let c = 0; c < 3; c++) hist[c][rgb[k * 3 + c]]++;
    n++;
  }
  if (n < 100) return;
  const quantile = (h: Uint32Array, q: number): number => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += h[v]) >= q * n) return v;
    return 255;
  };
  const median = hist.map((h) => quantile(h, 0.5));
  const spread = Math.max(...hist.map((h) => quantile(h, 0.75) - quantile(h, 0.25)));
  if (spread > 24) return;
  const limit = Math.max(30, 4 * spread);
  for (let k = 0; k < backdrop.length; k++) {
    if (!backdrop[k]) continue;
    const d = Math.hypot(rgb[k * 3] - median[0], rgb[k * 3 + 1] - median[1], rgb[k * 3 + 2] - median[2]);
    if (d > limit) backdrop[k] = 0;
  }
}

/** Softens the line where synthesised skin meets filled backdrop: a 3x3 mean on the pixels either side of it. */
function featherSeams(image: Uint8Array, skin: Uint8Array, backdrop: Uint8Array, w: number, h: number): void {
  const edge: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const k = y * w + x;
      if (!skin[k] && !backdrop[k]) continue;
      const other = skin[k] ? backdrop : skin;
      if (other[k - 1] || other[k + 1] || other[k - w] || other[k + w]) edge.push(k);
    }
  }
  const src = image.slice();
  for (const k of edge) {
    for (let ch = 0; ch < 3; ch++) {
      let s = 0;
      for (const d of [-w - 1, -w, -w + 1, -1, 0, 1, w - 1, w, w + 1]) s += src[(k + d) * 3 + ch];
      image[k * 3 + ch] = Math.round(s / 9);
    }
  }
}

/** The whole photo with the bare body pasted in: RGB, the photo's size. */
export function bareImage(person: PersonAnalysis, bare: BareBody): RawImage {
  const { width, height, image } = person;
  const data = new Uint8Array(width * height * 3);
  const ch = image.channels;
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = image.data[i * ch + (ch > c ? c : 0)];
  const { box } = bare;
  for (let y = 0; y < box.height; y++) data.set(bare.image.subarray(y * box.width * 3, (y + 1) * box.width * 3), ((box.y + y) * width + box.x) * 3);
  return { data, width, height, channels: 3 };
}
