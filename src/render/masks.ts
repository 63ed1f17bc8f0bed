/**
 * The per-pixel roles of a crop for the composite graph (what stays in front, what is old
 * garment to replace, where the body is, the form shading; see src/render/roles.ts for their
 * definition), and the crop's material luminances and visible skin colour. The roles are
 * kept in the person's state (see "The planes" below), so a pair costs a copy of its crop.
 */
import { LABEL, type Box, type GarmentCategory, type PersonAnalysis, type RGB } from '../types.ts';
import type { Body } from '../fit/body.ts';
import type { PersonFacts } from './facts.ts';
import { FORM_SCALE, MASK, MASK_CHANNELS } from '../engines/contract.ts';
import { formShade, grain, grainAmplitude, limbsOf, type Limb } from './body-shape.ts';
import { insideWhereOld, neckRamp, newRoles, pixelRoles, roleContext, speckLabel, startLabel, type RoleContext, type Roles } from './roles.ts';

/** What the masks read of a person (a PersonState has it all, computed once). */
export interface MaskSource {
  readonly person: PersonAnalysis;
  readonly body: Body;
  readonly facts: PersonFacts;
}

/** The same, with the planes its roles are kept in (buildMasks). */
export interface PlanesSource extends MaskSource {
  readonly planes: PersonPlanes;
}

/**
 * Working buffers of the masks (the old garment's marks, a row of backdrop), reused from pair
 * to pair: a fresh one of a crop's size costs more in page faults than its filling. One per
 * thread (a RenderState's); the mask functions are synchronous, so one suffices.
 */
export class MaskScratch {
  private marksBuffer = new Uint8Array(0);
  private backdrop = new Uint8Array(0);

  /**
   * A zeroed buffer of n bytes, valid until the next call. Starts at byte 0 of its own buffer,
   * so it may be read as 32-bit words.
   */
  marks(n: number): Uint8Array {
    if (this.marksBuffer.length < n) this.marksBuffer = new Uint8Array(Math.ceil(n * 1.25));
    const b = this.marksBuffer.subarray(0, n);
    b.fill(0);
    return b;
  }

  /** A row of plain backdrop masks (background 255, else 0), at least `width` pixels: copied where a crop is beyond the planes. */
  backdropRow(width: number): Uint8Array {
    if (this.backdrop.length < width * MASK_CHANNELS) {
      const row = new Uint8Array(Math.ceil(width * 1.25) * MASK_CHANNELS);
      for (let o = MASK.background; o < row.length; o += MASK_CHANNELS) row[o] = 255;
      this.backdrop = row;
    }
    return this.backdrop;
  }
}

export interface CropMasks {
  /** [h, w, MASK_CHANNELS] interleaved, 0..255 (channels: MASK in src/engines/contract.ts). */
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
  /**
   * Where the old garment is (old > 0): the crop with a border of none, 4 rows above and below,
   * 4 columns left and at least 4 right; the stride (marksStride) a multiple of 4, so formPass
   * reads the marks four at a time as 32-bit words.
   */
  marks: Uint8Array;
}

/** The marks' row stride for a crop width: 4 columns of none left, the width rounded up to 4, 4 right. */
const marksStride = (width: number): number => 8 + ((width + 3) & ~3);

function newCropStats(box: Box, scratch: MaskScratch): CropStats {
  const marks = scratch.marks(marksStride(box.width) * (box.height + 8));
  return { sumOld: 0, sumBody: 0, sumBack: 0, nOld: 0, nBody: 0, nBack: 0, hist: new Uint32Array(768), samples: 0, grainSq: 0, grainSum: 0, grainN: 0, marks };
}

/**
 * Until formPass writes the form channel it holds, per pixel, whether the pixel is a source of
 * the skin statistics (bit S_SRC) and, in the cached planes, how its roles depend on the
 * neckline (the kind bits, F_KIND below).
 */
const S_SRC = 1;

/**
 * One crop row into the statistics (called row by row, in order, while the row is fresh):
 * the materials' luminance sums, the visible skin's colour histograms (every other pixel,
 * checkered) and neighbour differences (its grain), and the old garment's marks.
 */
function cropStatsRow(st: CropStats, img: Uint8Array, ch: number, imgWidth: number, box: Box, y: number, out: Uint8Array): void {
  const bw = box.width;
  const marks = st.marks;
  // (Locals, not the imported constants, in the per-pixel loops: V8 does not fold those.)
  const NC = MASK_CHANNELS;
  const cOld = MASK.old;
  const cBack = MASK.background;
  const cSrc = MASK.form;
  const hist = st.hist;
  let { sumOld, sumBody, sumBack, nOld, nBody, nBack, samples, grainSq, grainSum, grainN } = st;
  let s = ((box.y + y) * imgWidth + box.x) * ch;
  let m = (y + 4) * marksStride(bw) + 4;
  let o = y * bw * NC;
  let prevSkin = -1;
  for (let x = 0; x < bw; x++, s += ch, m++, o += NC) {
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
    if ((out[o + cSrc] & S_SRC) !== 0) {
      if (((x ^ y) & 1) === 0) {
        hist[r]++;
        hist[256 + g]++;
        hist[512 + b]++;
        samples++;
      }
      if (prevSkin >= 0) {
        // (d * d: what d ** 2 gives, pow(d, 2) being exact as d * d.)
        const d = lv - prevSkin;
        grainSq += d * d;
        grainSum += lv;
        grainN++;
      }
      prevSkin = lv;
    } else prevSkin = -1;
  }
  st.sumOld = sumOld;
  st.sumBody = sumBody;
  st.sumBack = sumBack;
  st.nOld = nOld;
  st.nBody = nBody;
  st.nBack = nBack;
  st.samples = samples;
  st.grainSq = grainSq;
  st.grainSum = grainSum;
  st.grainN = grainN;
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
  // The marks as 32-bit words, four pixels each (little-endian: byte j of a word is its
  // (j)th pixel): the reach's vertical probes (2 and 4 rows) are the words 2 and 4 rows
  // away, the horizontal ones (2 and 4 columns) the neighbour words and their halves.
  const words = new Uint32Array(marks.buffer, marks.byteOffset, marks.length >> 2);
  const rw = marksStride(bw) >> 2;
  const up2 = 2 * rw;
  const up4 = 4 * rw;
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
    // The torso's centre line at this row, for formShade: looked up at the row's first exact shade.
    let centre: number | undefined;
    let w = (y + 4) * rw + 1;
    let o = y * bw * NC + MASK.form;
    for (let x4 = 0; x4 < bw; x4 += 4, w++) {
      const c = words[w];
      const l = words[w - 1];
      const r = words[w + 1];
      const near = c | l | r | (l >>> 16) | (c << 16) | (c >>> 16) | (r << 16) | words[w - up2] | words[w + up2] | words[w - up4] | words[w + up4];
      const n = Math.min(4, bw - x4);
      if (near === 0) {
        for (let j = 0; j < n; j++, o += NC) out[o] = flat;
        continue;
      }
      for (let j = 0; j < n; j++, o += NC) {
        if (((near >>> (8 * j)) & 0xff) === 0) {
          out[o] = flat;
          continue;
        }
        const px = box.x + x4 + j;
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
        centre ??= body.centreAt(py + 0.5);
        out[o] = Math.min(255, Math.round(scale * (formShade(body, px + 0.5, py + 0.5, limbs, centre) * g)));
      }
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
 * The masks by evaluating every pixel's roles afresh (no planes): the definition buildMasks'
 * kept planes must reproduce byte for byte. For tests and benchmarks: several times slower
 * (what buildMasks cost before its planes).
 */
export function buildMasksDirect(source: MaskSource, category: GarmentCategory, box: Box, options: MaskOptions = {}, scratch = new MaskScratch()): CropMasks {
  const neckY = options.neckY ?? Infinity;
  const { person: p, body } = source;
  const c = roleContext(body, source.facts, category);
  const out = new Uint8Array(box.width * box.height * MASK_CHANNELS);
  const r = newRoles();
  const st = newCropStats(box, scratch);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const px = box.x + x;
      const py = box.y + y;
      pixelRoles(c, px, py, startLabel(p, px, py, neckY), neckY, r);
      putRoles(out, (y * box.width + x) * MASK_CHANNELS, r);
    }
    cropStatsRow(st, p.image.data, p.image.channels, p.width, box, y, out);
  }
  return finishMasks(body, box, out, st, null);
}

/** A pixel's roles into the masks at offset o (the form channel: whether a skin source, for cropStatsRow). */
function putRoles(out: Uint8Array, o: number, r: Roles): void {
  out[o + MASK.occluder] = r.occ;
  out[o + MASK.armFront] = r.arm;
  out[o + MASK.old] = r.old;
  out[o + MASK.inside] = r.inside;
  out[o + MASK.background] = r.label === LABEL.background ? 255 : 0;
  out[o + MASK.skin] = r.skin;
  out[o + MASK.form] = r.skinSrc ? S_SRC : 0;
}

/*
 * The planes. Only the category, the crop and the neckline vary between a person's pairs, and
 * a pixel's roles depend on the neckline only where its label is hair or face (the speck test
 * below the neckline), neck (in front above it) or the old top (the ramp above the neckline).
 * So the roles without a neckline are computed once per (analysis, category) into planes, with
 * those pixels marked by kind, and each pair copies its crop out and redoes only the marked
 * ones. The planes hold each pixel as the crop's masks do (7 channels), so a crop's row is
 * one copy; the form channel, computed per crop, holds the skin-source bit and the kind bits
 * meanwhile, and each plane row says which kinds it has, so that only the rows a neckline
 * changes are visited. The planes cover the person's bounding box (beyond it every pixel is
 * plain backdrop) in bands of rows, each band computed when a crop first needs it. The form
 * shade is per-person geometry: one plane for every category, quantised to 16 bits.
 */
const BAND_SHIFT = 5;
const BAND = 1 << BAND_SHIFT;
/** The kind bits (in the form channel until formPass): how a pixel depends on the neckline. */
const F_KIND = 96;
/** An old-top pixel whose replacement is the neckline's ramp (not plainly the old top's colour). */
const K_RAMP = 32;
/** A neck pixel (upper garment): in front above the neckline only. */
const K_NECK = 64;
/** A hair or face speck: below the neckline its roles are its surroundings'. */
const K_SPECK = 96;
/** A plane row's kinds (RoleBand.kinds): bits for its K_RAMP, K_NECK and K_SPECK pixels. */
const R_RAMP = 1;
const R_NECK = 2;
const R_SPECK = 4;
/** formShade is within 0.78..1; stored as SHADE_MIN + q * SHADE_STEP. */
const SHADE_MIN = 0.75;
const SHADE_STEP = 0.25 / 65535;

/** The roles and form shade of a person's pixels, kept in its PersonState. */
export interface PersonPlanes {
  /** The region the planes cover, end exclusive: the person's bounding box and a 4-px margin (the form's reach). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
  limbs: Limb[];
  contexts: Map<GarmentCategory, RoleContext>;
  /** Per category, per band: the roles (see RoleBand). */
  roles: Map<GarmentCategory, (RoleBand | undefined)[]>;
  /** Per band: quantised formShade per pixel. */
  shade: (Uint16Array | undefined)[];
}

/**
 * A band of roles without a neckline, [rows, width, MASK_CHANNELS] as the crop's masks, with
 * the skin-source and kind bits in the form channel. Where a neckline changes them they hold:
 * K_RAMP, the old top below the ramp (old 255, inside where old); K_NECK, the neck above the
 * neckline (in front); K_SPECK, the speck above the neckline (its own roles).
 */
interface RoleBand {
  data: Uint8Array;
  /** Per row: R_RAMP | R_NECK | R_SPECK for the kinds it has. */
  kinds: Uint8Array;
}

/** A person's planes, still empty: their region (the bounding box of what is not plain backdrop) and limbs. */
export function personPlanes(p: PersonAnalysis, body: Body): PersonPlanes {
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
  return { x0, y0, x1, y1, width: x1 - x0, limbs: limbsOf(body), contexts: new Map(), roles: new Map(), shade: [] };
}

/** Bytes of a person's planes (all categories built so far). */
export function planesBytes(pp: PersonPlanes): number {
  let n = 0;
  for (const bands of pp.roles.values()) for (const b of bands) n += b ? b.data.byteLength + b.kinds.byteLength : 0;
  for (const b of pp.shade) n += b?.byteLength ?? 0;
  return n;
}

function rolesBand(pp: PersonPlanes, c: RoleContext, b: number): RoleBand {
  const p = c.body.person;
  const labels = p.parsing.data;
  const y0 = pp.y0 + (b << BAND_SHIFT);
  const y1 = Math.min(y0 + BAND, pp.y1);
  const data = new Uint8Array((y1 - y0) * pp.width * MASK_CHANNELS);
  const kinds = new Uint8Array(y1 - y0);
  const r = newRoles();
  let o = 0;
  for (let py = y0; py < y1; py++) {
    let rowKinds = 0;
    for (let px = pp.x0; px < pp.x1; px++, o += MASK_CHANNELS) {
      const l = labels[py * p.width + px];
      pixelRoles(c, px, py, l, Infinity, r);
      putRoles(data, o, r);
      if ((l === LABEL.hair || l === LABEL.face) && speckLabel(labels, p.width, p.height, px, py, l) !== l) {
        data[o + MASK.armFront] = 0;
        data[o + MASK.old] = 0;
        data[o + MASK.background] = 0;
        data[o + MASK.form] = K_SPECK;
        data[o + MASK.skin] = 0;
        rowKinds |= R_SPECK;
      } else if (c.upper && r.label === LABEL.upper_clothes && r.old !== 255) {
        data[o + MASK.occluder] = 0;
        data[o + MASK.armFront] = 0;
        data[o + MASK.old] = 255;
        data[o + MASK.inside] = insideWhereOld(c, px, py, LABEL.upper_clothes, false);
        data[o + MASK.background] = 0;
        data[o + MASK.form] = K_RAMP;
        data[o + MASK.skin] = 0;
        rowKinds |= R_RAMP;
      } else if (c.upper && r.label === LABEL.neck) {
        data[o + MASK.occluder] = 255;
        data[o + MASK.armFront] = 0;
        data[o + MASK.old] = 0;
        data[o + MASK.background] = 0;
        data[o + MASK.form] |= K_NECK;
        rowKinds |= R_NECK;
      }
    }
    kinds[py - y0] = rowKinds;
  }
  return { data, kinds };
}

function shadeBand(pp: PersonPlanes, body: Body, b: number): Uint16Array {
  const y0 = pp.y0 + (b << BAND_SHIFT);
  const y1 = Math.min(y0 + BAND, pp.y1);
  const data = new Uint16Array((y1 - y0) * pp.width);
  let o = 0;
  for (let py = y0; py < y1; py++) {
    // The limbs whose boxes reach this row (formShade skips the others anyway), and the
    // torso's centre line here: looked up once a row, not once a pixel.
    const limbs = pp.limbs.filter((l) => !(py + 0.5 < l.y0 || py + 0.5 > l.y1));
    const centre = body.centreAt(py + 0.5);
    for (let px = pp.x0; px < pp.x1; px++) data[o++] = Math.min(65535, Math.round((formShade(body, px + 0.5, py + 0.5, limbs, centre) - SHADE_MIN) / SHADE_STEP));
  }
  return data;
}

/**
 * The crop's masks for a garment of `category` whose neckline is at options.neckY: per crop
 * pixel the roles of pixelRoles, byte for byte as buildMasksDirect, from planes kept in the
 * person's state.
 * @param scratch working buffers of the renderer's thread (default: fresh ones)
 */
export function buildMasks(source: PlanesSource, category: GarmentCategory, box: Box, options: MaskOptions = {}, scratch = new MaskScratch()): CropMasks {
  const neckY = options.neckY ?? Infinity;
  const { person: p, body, planes: pp } = source;
  let c = pp.contexts.get(category);
  if (!c) {
    c = roleContext(body, source.facts, category);
    pp.contexts.set(category, c);
  }
  let bands = pp.roles.get(category);
  if (!bands) {
    bands = [];
    pp.roles.set(category, bands);
  }
  const bw = box.width;
  const bh = box.height;
  const NC = MASK_CHANNELS;
  const out = new Uint8Array(bw * bh * NC);
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
  const back = scratch.backdropRow(bw);
  // (Locals, not the imported constants, in the per-pixel loop: V8 does not fold those.)
  const cOcc = MASK.occluder;
  const cOld = MASK.old;
  const cIn = MASK.inside;
  const cForm = MASK.form;
  const st = newCropStats(box, scratch);
  const img = p.image.data;
  const ch = p.image.channels;
  for (let y = 0; y < bh; y++) {
    const py = box.y + y;
    const rowOut = y * bw * NC;
    if (py < ry0 || py >= ry1 || cx0 >= cx1) {
      out.set(back.subarray(0, bw * NC), rowOut);
      cropStatsRow(st, img, ch, p.width, box, y, out);
      continue;
    }
    const b = (py - pp.y0) >> BAND_SHIFT;
    const band = bands[b]!;
    const inBand = py - pp.y0 - (b << BAND_SHIFT);
    if (cx0 > box.x) out.set(back.subarray(0, (cx0 - box.x) * NC), rowOut);
    if (cx1 < box.x + bw) out.set(back.subarray(0, (box.x + bw - cx1) * NC), rowOut + (cx1 - box.x) * NC);
    const s0 = (inBand * pp.width + cx0 - pp.x0) * NC;
    const o0 = rowOut + (cx0 - box.x) * NC;
    out.set(band.data.subarray(s0, s0 + (cx1 - cx0) * NC), o0);
    // The pixels the neckline changes, in the rows that have them.
    const kinds = band.kinds[inBand];
    const ramp = kinds & R_RAMP && c.upper ? neckRamp(body, py, neckY) : 255;
    const neckOcc = py < neckY ? 255 : 0;
    const speck = py > speckFrom;
    if ((kinds & R_RAMP && ramp !== 255) || (kinds & R_NECK && neckOcc === 0) || (kinds & R_SPECK && speck)) {
      let o = o0;
      for (let px = cx0; px < cx1; px++, o += NC) {
        const kind = out[o + cForm] & F_KIND;
        if (kind === 0) continue;
        if (kind === K_RAMP) {
          // Old top: nothing in front, no skin; replaced by the ramp.
          out[o + cOld] = ramp;
          if (ramp === 0) out[o + cIn] = 255;
        } else if (kind === K_NECK) out[o + cOcc] = neckOcc;
        else if (speck) {
          pixelRoles(c, px, py, startLabel(p, px, py, neckY), neckY, r);
          putRoles(out, o, r);
        }
      }
    }
    cropStatsRow(st, img, ch, p.width, box, y, out);
  }
  return finishMasks(body, box, out, st, pp);
}

/** The box of the pixels a garment of this category replaces (old clothes), for the crop: a scan of the whole parsing (PersonState keeps it). */
export function oldGarmentBox(p: PersonAnalysis, category: GarmentCategory): Box {
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
