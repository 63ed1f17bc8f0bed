/**
 * The per-pixel roles of a crop for the composite graph (what stays in front, what is old
 * garment to replace, where the body is, the form shading; see src/render/roles.ts for their
 * definition), and the crop's material luminances and visible skin colour. The roles are
 * cached per person analysis (see "The cache" below), so a pair costs a copy of its crop.
 */
import { LABEL, type Box, type GarmentCategory, type PersonAnalysis, type RGB } from '../types.ts';
import type { Body } from '../fit/body.ts';
import { FORM_SCALE, MASK, MASK_CHANNELS } from './graphs.ts';
import {
  formShade,
  grain,
  grainAmplitude,
  insideWhereOld,
  limbsOf,
  neckRamp,
  newRoles,
  pixelRoles,
  roleContext,
  speckLabel,
  startLabel,
  type Limb,
  type RoleContext,
  type Roles,
} from './roles.ts';

export { fillSkinColour, formShade, hasSkinModel, medianColour, oldSleeveEnd } from './roles.ts';

export interface CropMasks {
  /** [h, w, MASK_CHANNELS] interleaved, 0..255 (channels: MASK in graphs.ts). */
  data: Uint8Array;
  /** Mean luminance 0..1 of old garment, body, background in the crop. */
  means: [number, number, number];
  /** Median colour of the visible skin in the crop; null when there is too little. */
  skin: RGB | null;
}

export interface MaskOptions {
  /** Row of the new garment's neckline: neck skin below it is covered, above it stays in front. */
  neckY?: number;
}

/**
 * Zeroed working buffers that never leave this module (the skin sources, the old garment's
 * marks), reused between calls: fresh ones of a crop's size cost more in page faults than
 * their filling. (Calls are synchronous, so one set per thread suffices.)
 */
const scratchBuffers: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];
function scratch(k: number, n: number): Uint8Array {
  if (scratchBuffers[k].length < n) scratchBuffers[k] = new Uint8Array(Math.ceil(n * 1.25));
  const b = scratchBuffers[k].subarray(0, n);
  b.fill(0);
  return b;
}

/** What the crop's statistics gather (see cropStatsRow), and the old garment's marks. */
interface CropStats {
  /** Luminance sums and counts of old garment, body, background. */
  sumOld: number;
  sumBody: number;
  sumBack: number;
  nOld: number;
  nBody: number;
  nBack: number;
  /** Histograms of the skin samples' R, G, B (256 bins each) and their count. */
  hist: Uint32Array;
  samples: number;
  grainSq: number;
  grainSum: number;
  grainN: number;
  /** Where the old garment is (old > 0): the crop with a 4-px border of none, stride width + 8. */
  marks: Uint8Array;
}

function newCropStats(box: Box): CropStats {
  const marks = scratch(1, (box.width + 8) * (box.height + 8));
  return { sumOld: 0, sumBody: 0, sumBack: 0, nOld: 0, nBody: 0, nBack: 0, hist: new Uint32Array(768), samples: 0, grainSq: 0, grainSum: 0, grainN: 0, marks };
}

/**
 * One crop row into the statistics (called row by row, in order, while the row is fresh):
 * the materials' luminance sums, the visible skin's colour histograms (every other pixel,
 * checkered) and neighbour differences (its grain), and the old garment's marks.
 */
function cropStatsRow(st: CropStats, img: Uint8Array, ch: number, imgWidth: number, box: Box, y: number, out: Uint8Array, src: Uint8Array): void {
  const bw = box.width;
  const marks = st.marks;
  // (Locals, not the imported constants, in the per-pixel loops: V8 does not fold those.)
  const NC = MASK_CHANNELS;
  const cOld = MASK.old;
  const cBack = MASK.background;
  const hist = st.hist;
  let { sumOld, sumBody, sumBack, nOld, nBody, nBack, samples, grainSq, grainSum, grainN } = st;
  let s = ((box.y + y) * imgWidth + box.x) * ch;
  let m = (y + 4) * (bw + 8) + 4;
  let j = y * bw;
  let o = j * NC;
  let prevSkin = -1;
  for (let x = 0; x < bw; x++, s += ch, m++, j++, o += NC) {
    const r = img[s];
    const g = img[s + 1];
    const b = img[s + 2];
    const lv = 0.299 * r + 0.587 * g + 0.114 * b;
    const lum = lv / 255;
    const old = out[o + cOld];
    if (old !== 0) marks[m] = 1;
    if (out[o + cBack] !== 0) {
      sumBack += lum;
      nBack++;
    } else if (old > 127) {
      sumOld += lum;
      nOld++;
    } else {
      sumBody += lum;
      nBody++;
    }
    if (src[j] !== 0) {
      if (((x ^ y) & 1) === 0) {
        hist[r]++;
        hist[256 + g]++;
        hist[512 + b]++;
        samples++;
      }
      if (x > 0 && prevSkin >= 0) {
        grainSq += (lv - prevSkin) ** 2;
        grainSum += lv;
        grainN++;
      }
      prevSkin = lv;
    } else prevSkin = -1;
  }
  Object.assign(st, { sumOld, sumBody, sumBack, nOld, nBody, nBack, samples, grainSq, grainSum, grainN });
}

/**
 * The form channel: where skin may be painted (the old garment, and the few pixels round it
 * that the composite's feather reaches, else they would be a bright rim: 2 and 4 px along the
 * axes, within the crop) the body's form shade times the skin grain; elsewhere flat. The shade
 * comes from the person's quantised plane where `planes` covers the pixel, except within the
 * quantisation's error of a rounding boundary, where it is computed exactly as everywhere else.
 */
function formPass(body: Body, box: Box, out: Uint8Array, marks: Uint8Array, amp: number, planes: PersonPlanes | null): void {
  const bw = box.width;
  const bh = box.height;
  const pw = bw + 8;
  const up2 = 2 * pw;
  const up4 = 4 * pw;
  const flat = Math.min(255, Math.round(255 * FORM_SCALE * 1));
  const limbs = planes ? planes.limbs : limbsOf(body);
  const none = new Uint16Array(0);
  const NC = MASK_CHANNELS;
  const scale = 255 * FORM_SCALE;
  const k = amp * 1.2;
  const q0 = SHADE_MIN;
  const dq = SHADE_STEP;
  for (let y = 0; y < bh; y++) {
    const py = box.y + y;
    // This row of the shade plane, and the crop's columns it covers.
    let row: Uint16Array = none;
    let rowStart = 0;
    let qx0 = 0;
    let qx1 = 0;
    if (planes !== null && py >= planes.y0 && py < planes.y1) {
      row = planes.shade[(py - planes.y0) >> BAND_SHIFT]!;
      rowStart = ((py - planes.y0) & (BAND - 1)) * planes.width - planes.x0;
      qx0 = planes.x0;
      qx1 = planes.x1;
    }
    let m = (y + 4) * pw + 4;
    let o = y * bw * NC + MASK.form;
    for (let x = 0; x < bw; x++, m++, o += NC) {
      if ((marks[m] | marks[m - 2] | marks[m + 2] | marks[m - 4] | marks[m + 4] | marks[m - up2] | marks[m + up2] | marks[m - up4] | marks[m + up4]) === 0) {
        out[o] = flat;
        continue;
      }
      const px = box.x + x;
      // (As 1 + amp * 1.2 * grain and 255 * FORM_SCALE * shade: the same roundings.)
      const g = 1 + k * grain(px, py);
      if (px >= qx0 && px < qx1) {
        const v = scale * ((q0 + row[rowStart + px] * dq) * g);
        // v is within 0..240, so | 0 floors: iv is Math.round(v) unless v is within float
        // noise of a .5. Where v is within 0.002 of one, the quantisation's error (below 5e-4)
        // could matter. (One two-sided test: a test per side mispredicts on half the pixels.)
        const iv = (v + 0.5) | 0;
        const d = v + 0.5 - iv;
        if (d > 0.002 && d < 0.998) {
          out[o] = iv;
          continue;
        }
      }
      out[o] = Math.min(255, Math.round(scale * (formShade(body, px + 0.5, py + 0.5, limbs) * g)));
    }
  }
}

/**
 * The crop's masks from the per-pixel channels (occluder, armFront, old, inside, background,
 * skin already in `out`) and the skin sources: the materials' mean luminances, the visible
 * skin's median colour, and the form channel.
 */
function finishMasks(body: Body, box: Box, out: Uint8Array, st: CropStats, planes: PersonPlanes | null): CropMasks {
  formPass(body, box, out, st.marks, grainAmplitude(st.grainSq, st.grainN, st.grainN ? st.grainSum / st.grainN : 0), planes);
  const mean = (sum: number, n: number): number => (n > 0 ? Math.max(sum / n, 0.02) : 0.5);
  // The median of the samples sorted (the upper one of an even count), from the histograms.
  const median = (c: number): number => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += st.hist[c * 256 + v]) > st.samples >> 1) return v;
    return 255;
  };
  return {
    data: out,
    means: [mean(st.sumOld, st.nOld), mean(st.sumBody, st.nBody), mean(st.sumBack, st.nBack)],
    skin: st.samples >= 50 ? [median(0), median(1), median(2)] : null,
  };
}

/**
 * The masks by evaluating every pixel's roles afresh (no caches): the definition buildMasks'
 * cached planes must reproduce byte for byte. For tests and benchmarks: several times slower
 * (what buildMasks cost before its cache).
 */
export function buildMasksDirect(body: Body, category: GarmentCategory, box: Box, options: MaskOptions = {}): CropMasks {
  const neckY = options.neckY ?? Infinity;
  const c = roleContext(body, category);
  const out = new Uint8Array(box.width * box.height * MASK_CHANNELS);
  const src = new Uint8Array(box.width * box.height);
  const r = newRoles();
  const p = body.person;
  const st = newCropStats(box);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const px = box.x + x;
      const py = box.y + y;
      pixelRoles(c, px, py, startLabel(p, px, py, neckY), neckY, r);
      putRoles(out, src, y * box.width + x, r);
    }
    cropStatsRow(st, p.image.data, p.image.channels, p.width, box, y, out, src);
  }
  return finishMasks(body, box, out, st, null);
}

function putRoles(out: Uint8Array, src: Uint8Array, j: number, r: Roles): void {
  const o = j * MASK_CHANNELS;
  out[o + MASK.occluder] = r.occ;
  out[o + MASK.armFront] = r.arm;
  out[o + MASK.old] = r.old;
  out[o + MASK.inside] = r.inside;
  out[o + MASK.background] = r.label === LABEL.background ? 255 : 0;
  out[o + MASK.skin] = r.skin;
  src[j] = r.skinSrc ? 1 : 0;
}

/*
 * The cache. Only the category, the crop and the neckline vary between a person's pairs, and
 * a pixel's roles depend on the neckline only where its label is hair or face (the speck test
 * below the neckline), neck (in front above it) or the old top (the ramp above the neckline).
 * So the roles without a neckline are computed once per (analysis, category) into planes, with
 * those pixels marked by kind, and each pair copies its crop out and redoes only the marked
 * ones. The planes cover the person's bounding box (beyond it every pixel is plain backdrop)
 * in bands of rows, each band computed when a crop first needs it. The form shade is
 * per-person geometry: one plane for every category, quantised to 16 bits.
 */
const BAND_SHIFT = 5;
const BAND = 1 << BAND_SHIFT;
/** Plane flag bits; the kind bits say how a pixel depends on the neckline. */
const F_OCC = 1;
const F_BG = 2;
const F_OLD = 4;
const F_SKIN = 8;
const F_SRC = 16;
const F_KIND = 96;
/** An old-top pixel whose replacement is the neckline's ramp (not plainly the old top's colour). */
const K_RAMP = 32;
/** A neck pixel (upper garment): in front above the neckline only. */
const K_NECK = 64;
/** A hair or face speck: below the neckline its roles are its surroundings'. */
const K_SPECK = 96;
/** formShade is within 0.78..1; stored as SHADE_MIN + q * SHADE_STEP. */
const SHADE_MIN = 0.75;
const SHADE_STEP = 0.25 / 65535;

interface PersonPlanes {
  /** The region the planes cover, end exclusive: the person's bounding box and a 4-px margin (the form's reach). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
  limbs: Limb[];
  contexts: Map<GarmentCategory, RoleContext>;
  /** Per category, per band: [flags, armFront, inside] per pixel; inside holds the value where old for K_RAMP pixels. */
  roles: Map<GarmentCategory, (Uint8Array | undefined)[]>;
  /** Per band: quantised formShade per pixel. */
  shade: (Uint16Array | undefined)[];
}

const planeCache = new WeakMap<PersonAnalysis, PersonPlanes>();

function personPlanes(body: Body): PersonPlanes {
  const p = body.person;
  let pp = planeCache.get(p);
  if (pp) return pp;
  // Beyond the bounding box of the labelled and masked pixels every label is backdrop, with
  // no rule that could make it anything else.
  let x0 = p.width;
  let y0 = p.height;
  let x1 = -1;
  let y1 = -1;
  const labels = p.parsing.data;
  const mask = p.mask.data;
  for (let y = 0; y < p.height; y++) {
    const row = y * p.width;
    for (let x = 0; x < p.width; x++) {
      if (labels[row + x] === LABEL.background && mask[row + x] <= 127) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) x0 = x1 = y0 = y1 = 0;
  else {
    x0 = Math.max(0, x0 - 4);
    y0 = Math.max(0, y0 - 4);
    x1 = Math.min(p.width, x1 + 5);
    y1 = Math.min(p.height, y1 + 5);
  }
  pp = { x0, y0, x1, y1, width: x1 - x0, limbs: limbsOf(body), contexts: new Map(), roles: new Map(), shade: [] };
  planeCache.set(p, pp);
  return pp;
}

/** Bytes the mask caches hold for a person analysis (its planes, all categories). */
export function maskCacheBytes(person: PersonAnalysis): number {
  const pp = planeCache.get(person);
  if (!pp) return 0;
  let n = 0;
  for (const bands of pp.roles.values()) for (const b of bands) n += b?.byteLength ?? 0;
  for (const b of pp.shade) n += b?.byteLength ?? 0;
  return n;
}

function rolesBand(pp: PersonPlanes, c: RoleContext, b: number): Uint8Array {
  const p = c.body.person;
  const labels = p.parsing.data;
  const y0 = pp.y0 + (b << BAND_SHIFT);
  const y1 = Math.min(y0 + BAND, pp.y1);
  const data = new Uint8Array((y1 - y0) * pp.width * 3);
  const r = newRoles();
  let o = 0;
  for (let py = y0; py < y1; py++) {
    for (let px = pp.x0; px < pp.x1; px++, o += 3) {
      const l = labels[py * p.width + px];
      pixelRoles(c, px, py, l, Infinity, r);
      let f = (r.occ ? F_OCC : 0) | (r.label === LABEL.background ? F_BG : 0) | (r.old ? F_OLD : 0) | (r.skin ? F_SKIN : 0) | (r.skinSrc ? F_SRC : 0);
      let inside = r.inside;
      if ((l === LABEL.hair || l === LABEL.face) && speckLabel(labels, p.width, p.height, px, py, l) !== l) f |= K_SPECK;
      else if (c.upper && r.label === LABEL.upper_clothes && r.old !== 255) {
        f |= K_RAMP;
        inside = insideWhereOld(c, px, py, LABEL.upper_clothes, false);
      } else if (c.upper && r.label === LABEL.neck) f |= K_NECK;
      data[o] = f;
      data[o + 1] = r.arm;
      data[o + 2] = inside;
    }
  }
  return data;
}

function shadeBand(pp: PersonPlanes, body: Body, b: number): Uint16Array {
  const y0 = pp.y0 + (b << BAND_SHIFT);
  const y1 = Math.min(y0 + BAND, pp.y1);
  const data = new Uint16Array((y1 - y0) * pp.width);
  let o = 0;
  for (let py = y0; py < y1; py++) {
    for (let px = pp.x0; px < pp.x1; px++) data[o++] = Math.min(65535, Math.round((formShade(body, px + 0.5, py + 0.5, pp.limbs) - SHADE_MIN) / SHADE_STEP));
  }
  return data;
}

/**
 * The crop's masks for a garment of `category` whose neckline is at options.neckY: per crop
 * pixel the roles of pixelRoles, byte for byte as buildMasksDirect, from planes cached on the
 * person analysis (they die with it).
 */
export function buildMasks(body: Body, category: GarmentCategory, box: Box, options: MaskOptions = {}): CropMasks {
  const neckY = options.neckY ?? Infinity;
  const p = body.person;
  const pp = personPlanes(body);
  let c = pp.contexts.get(category);
  if (!c) {
    c = roleContext(body, category);
    pp.contexts.set(category, c);
  }
  let bands = pp.roles.get(category);
  if (!bands) {
    bands = [];
    pp.roles.set(category, bands);
  }
  const bw = box.width;
  const bh = box.height;
  const out = new Uint8Array(bw * bh * MASK_CHANNELS);
  const src = scratch(0, bw * bh);
  const speckFrom = neckY === Infinity ? -1 : neckY;
  const r = newRoles();
  // The crop's columns inside the planes' region, and the bands of its rows.
  const cx0 = Math.max(box.x, pp.x0);
  const cx1 = Math.min(box.x + bw, pp.x1);
  const ry0 = Math.max(box.y, pp.y0);
  const ry1 = Math.min(box.y + bh, pp.y1);
  for (let b = (ry0 - pp.y0) >> BAND_SHIFT; ry0 < ry1 && b <= (ry1 - 1 - pp.y0) >> BAND_SHIFT; b++) {
    bands[b] ??= rolesBand(pp, c, b);
    pp.shade[b] ??= shadeBand(pp, body, b);
  }
  // (Locals, not the imported constants, in the per-pixel loop: V8 does not fold those.)
  const NC = MASK_CHANNELS;
  const cOcc = MASK.occluder;
  const cArm = MASK.armFront;
  const cOld = MASK.old;
  const cIn = MASK.inside;
  const cBack = MASK.background;
  const cSkin = MASK.skin;
  const st = newCropStats(box);
  const img = p.image.data;
  const ch = p.image.channels;
  for (let y = 0; y < bh; y++) {
    const py = box.y + y;
    const rowOut = y * bw;
    if (py < ry0 || py >= ry1 || cx0 >= cx1) {
      for (let x = 0; x < bw; x++) out[(rowOut + x) * NC + cBack] = 255;
      cropStatsRow(st, img, ch, p.width, box, y, out, src);
      continue;
    }
    const b = (py - pp.y0) >> BAND_SHIFT;
    const plane = bands[b]!;
    const ramp = c.upper ? neckRamp(body, py, neckY) : 0;
    const neckOcc = py < neckY ? 255 : 0;
    const speck = py > speckFrom;
    for (let px = box.x; px < cx0; px++) out[(rowOut + px - box.x) * NC + cBack] = 255;
    for (let px = cx1; px < box.x + bw; px++) out[(rowOut + px - box.x) * NC + cBack] = 255;
    let s = ((py - pp.y0 - (b << BAND_SHIFT)) * pp.width + cx0 - pp.x0) * 3;
    let j = rowOut + cx0 - box.x;
    let o = j * NC;
    for (let px = cx0; px < cx1; px++, s += 3, j++, o += NC) {
      const f = plane[s];
      const kind = f & F_KIND;
      if (kind === 0) {
        out[o + cOcc] = f & F_OCC ? 255 : 0;
        out[o + cArm] = plane[s + 1];
        out[o + cOld] = f & F_OLD ? 255 : 0;
        out[o + cIn] = plane[s + 2];
        out[o + cBack] = f & F_BG ? 255 : 0;
        out[o + cSkin] = f & F_SKIN ? 255 : 0;
        src[j] = f & F_SRC ? 1 : 0;
      } else if (kind === K_RAMP) {
        // Old top: nothing in front, no skin; replaced by the ramp.
        out[o + cOld] = ramp;
        out[o + cIn] = ramp > 0 ? plane[s + 2] : 255;
      } else if (kind === K_NECK) {
        out[o + cOcc] = neckOcc;
        out[o + cIn] = plane[s + 2];
        out[o + cSkin] = f & F_SKIN ? 255 : 0;
        src[j] = f & F_SRC ? 1 : 0;
      } else if (speck) {
        pixelRoles(c, px, py, startLabel(p, px, py, neckY), neckY, r);
        putRoles(out, src, j, r);
      } else {
        out[o + cOcc] = f & F_OCC ? 255 : 0;
        out[o + cIn] = plane[s + 2];
      }
    }
    cropStatsRow(st, img, ch, p.width, box, y, out, src);
  }
  return finishMasks(body, box, out, st, pp);
}

/** oldGarmentBox's answers per analysis and category: a scan of the whole parsing each. */
const oldBoxes = new WeakMap<PersonAnalysis, Map<GarmentCategory, Box>>();

/** The box of the pixels a garment of this category replaces (old clothes), for the crop. */
export function oldGarmentBox(body: Body, category: GarmentCategory): Box {
  let known = oldBoxes.get(body.person);
  if (!known) {
    known = new Map();
    oldBoxes.set(body.person, known);
  }
  let box = known.get(category);
  if (!box) {
    box = scanOldGarmentBox(body, category);
    known.set(category, box);
  }
  return { ...box };
}

function scanOldGarmentBox(body: Body, category: GarmentCategory): Box {
  const p = body.person;
  const want = new Set<number>(
    category === 'upper' ? [LABEL.upper_clothes] : category === 'lower' ? [LABEL.lower_clothes] : [LABEL.upper_clothes, LABEL.lower_clothes],
  );
  if (category !== 'lower') {
    want.add(LABEL.left_arm);
    want.add(LABEL.right_arm);
  }
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const { data, width, height } = p.parsing;
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      if (!want.has(data[y * width + x])) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (!Number.isFinite(x0)) return { x: 0, y: 0, width: 0, height: 0 };
  return { x: x0, y: y0, width: x1 - x0 + 2, height: y1 - y0 + 2 };
}
