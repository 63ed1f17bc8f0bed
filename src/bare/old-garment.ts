/**
 * Which pixels of the photo are the old garment a category takes off: the parsing's clothes
 * labels, an old sleeve on the arms (from the shoulder down to where its fabric ends, judged
 * slice by slice along the arm), cuffs at the wrists, old trousers the parsing called arm or
 * hand beside a hanging arm; minus hair the parsing called clothes and solid skin inside the
 * clothes (a neckline). Grown by 2 px so no anti-aliased rim of the old garment survives.
 */
import { LABEL, type GarmentCategory, type PersonAnalysis, type RGB } from '../types.ts';
import { project, type Side, type Skeleton } from './skeleton.ts';
import type { Box } from '../types.ts';
import { dilate, erode } from '../garment/morph.ts';
import { components, flood } from '../image/pixels.ts';

export interface PersonColours {
  top: RGB | null;
  bottom: RGB | null;
  hair: RGB | null;
  /** The skin's colour: the analysis's skin model colour, or the bare hands' and neck's. */
  skin: RGB | null;
  /** Whether the analysis has a per-pixel skin likelihood (no face or hands seen: none). */
  skinModel: boolean;
}

/** Median colour of the pixels with one of `labels` (every 5th pixel); null when too few. */
export function medianColour(person: PersonAnalysis, labels: readonly number[], keep: (i: number) => boolean = () => true): RGB | null {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const want = new Uint8Array(256);
  for (const l of labels) want[l] = 1;
  const { data } = person.parsing;
  const img = person.image;
  let n = 0;
  for (let i = 0; i < data.length; i += 5) {
    if (!want[data[i]] || !keep(i)) continue;
    for (let c = 0; c < 3; c++) hist[c][img.data[i * img.channels + c]]++;
    n++;
  }
  return n < 20 ? null : histogramMedian(hist, n);
}

/** The per-channel medians of `n` samples counted in three 256-bin histograms. */
export function histogramMedian(hist: Uint32Array[], n: number): RGB {
  return hist.map((h) => {
    let acc = 0;
    let v = 0;
    while (v < 255 && (acc += h[v]) * 2 < n) v++;
    return v;
  }) as RGB;
}

export function personColours(person: PersonAnalysis): PersonColours {
  let skinModel = false;
  for (let i = 0; i < person.skin.data.length && !skinModel; i += 97) skinModel = person.skin.data[i] > 0;
  const skin = skinModel
    ? medianColour(person, [LABEL.face, LABEL.neck, LABEL.hands, LABEL.left_arm, LABEL.right_arm, LABEL.legs, LABEL.torso_skin], (i) => person.skin.data[i] > 200) ?? person.skinColor
    : medianColour(person, [LABEL.hands, LABEL.neck, LABEL.torso_skin]);
  return {
    top: medianColour(person, [LABEL.upper_clothes]),
    bottom: medianColour(person, [LABEL.lower_clothes]),
    hair: medianColour(person, [LABEL.hair]),
    skin,
    skinModel,
  };
}

/**
 * Colour distance weighing hue over lightness (opponent channels, lightness at half): the lit
 * and the shaded side of one sleeve are one cloth; skin and grey cloth of one lightness are not.
 */
export function colourDist(data: ArrayLike<number>, o: number, b: ArrayLike<number>): number {
  const dl = (data[o] + data[o + 1] + data[o + 2] - b[0] - b[1] - b[2]) / 3;
  const d1 = data[o] - data[o + 1] - (b[0] - b[1]);
  const d2 = (data[o] + data[o + 1]) / 2 - data[o + 2] - ((b[0] + b[1]) / 2 - b[2]);
  return Math.sqrt(0.25 * dl * dl + d1 * d1 + d2 * d2);
}

/** Distance from a point to the nearer arm's bones (shoulder-elbow-wrist). */
function armDistance(sk: Skeleton, x: number, y: number): number {
  let d2 = Infinity;
  for (const side of ['left', 'right'] as const) {
    d2 = Math.min(d2, project(x, y, sk.joint('shoulder', side), sk.joint('elbow', side)).d2, project(x, y, sk.joint('elbow', side), sk.joint('wrist', side)).d2);
  }
  return Math.sqrt(d2);
}

/** Position along an arm: 0 shoulder, 1 elbow, 2 wrist (nearer segment). */
export function armT(sk: Skeleton, side: Side, x: number, y: number): number {
  const up = project(x, y, sk.joint('shoulder', side), sk.joint('elbow', side));
  const fore = project(x, y, sk.joint('elbow', side), sk.joint('wrist', side));
  return fore.d2 < up.d2 ? 1 + fore.t : up.t;
}

/**
 * Where the person's own sleeve ends on an arm (0..2 as armT; 0 = bare arm): the arm is cut
 * in 20 slices and the sleeve runs from the shoulder while a slice's median colour is the old
 * top's rather than the skin's. Slices, not pixels: the arm's anti-aliased edge has a low skin
 * likelihood too, and must not count as fabric.
 */
export function sleeveEnd(person: PersonAnalysis, sk: Skeleton, side: Side, colours: PersonColours): number {
  const { top, skin, skinModel } = colours;
  if (!top && !skinModel) return 0;
  const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
  const bins = 20;
  const likelihood: number[][] = Array.from({ length: bins }, () => []);
  const rgb: number[][][] = Array.from({ length: bins }, () => [[], [], []]);
  const pts = [sk.joint('shoulder', side), sk.joint('elbow', side), sk.joint('wrist', side)];
  const pad = 0.3 * sk.sw;
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q.x)) - pad));
  const x1 = Math.min(person.width - 1, Math.ceil(Math.max(...pts.map((q) => q.x)) + pad));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q.y)) - pad));
  const y1 = Math.min(person.height - 1, Math.ceil(Math.max(...pts.map((q) => q.y)) + pad));
  const img = person.image;
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      const i = y * person.width + x;
      if (person.parsing.data[i] !== label) continue;
      const b = Math.min(bins - 1, Math.floor((armT(sk, side, x + 0.5, y + 0.5) / 2) * bins));
      likelihood[b].push(person.skin.data[i]);
      for (let c = 0; c < 3; c++) rgb[b][c].push(img.data[i * img.channels + c]);
    }
  }
  const median = (v: number[]): number => v.sort((a, c) => a - c)[v.length >> 1];
  let end = 0;
  for (let b = 0; b < bins; b++) {
    if (likelihood[b].length < 4) continue;
    const c = rgb[b].map(median);
    const dTop = top ? colourDist(c, 0, top) : Infinity;
    const dSkin = skin ? colourDist(c, 0, skin) : Infinity;
    const fabric = (dTop < 70 && dTop < dSkin - 15) || (skinModel && median(likelihood[b]) < 60 && dTop < 70);
    if (!fabric) break;
    end = ((b + 1) / bins) * 2;
  }
  return end;
}

/** Pixels whose 9x9 neighbourhood is mostly skin-like too: skin, not a sheer mesh or a print. */
function solidSkin(person: PersonAnalysis, crop: Box): Uint8Array {
  const { x: bx, y: by, width: w, height: h } = crop;
  const skin = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) skin[y * w + x] = person.skin.data[(by + y) * person.width + bx + x] >= 128 ? 1 : 0;
  const r = 4;
  // Row then column running counts of skin-like pixels.
  const rows = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let x = -r; x < w; x++) {
      if (x + r < w) s += skin[y * w + x + r];
      if (x - r - 1 >= 0) s -= skin[y * w + x - r - 1];
      if (x >= 0) rows[y * w + x] = s;
    }
  }
  const out = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let y = -r; y < h; y++) {
      if (y + r < h) s += rows[(y + r) * w + x];
      if (y - r - 1 >= 0) s -= rows[(y - r - 1) * w + x];
      if (y >= 0 && skin[y * w + x]) out[y * w + x] = s >= 0.8 * (2 * r + 1) ** 2 ? 1 : 0;
    }
  }
  return out;
}

/**
 * Whether the skin seen inside a garment's labels is the garment's doing: skin through a sheer
 * mesh, or a skin-coloured print (leopard spots), is fragmented, with far more edge per pixel
 * than the compact skin of a neckline or a bare midriff the parsing called clothes.
 */
export function fragmentedSkin(person: PersonAnalysis, crop: Box, labels: ReadonlySet<number>): boolean {
  const { x: bx, y: by, width: w, height: h } = crop;
  const inLabel = (x: number, y: number): boolean => labels.has(person.parsing.data[(by + y) * person.width + bx + x]);
  const skinAt = (x: number, y: number): boolean => person.skin.data[(by + y) * person.width + bx + x] >= 128;
  let region = 0;
  let area = 0;
  let edge = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      if (!inLabel(x, y)) continue;
      region++;
      if (!skinAt(x, y)) continue;
      area++;
      if ((inLabel(x - 1, y) && !skinAt(x - 1, y)) || (inLabel(x + 1, y) && !skinAt(x + 1, y)) || (inLabel(x, y - 1) && !skinAt(x, y - 1)) || (inLabel(x, y + 1) && !skinAt(x, y + 1))) edge++;
    }
  }
  return area > 0.05 * region && edge > 0.12 * area;
}

/** The old garment of `category` over the crop: 1 to take off, 0 to keep. */
export function oldGarment(person: PersonAnalysis, sk: Skeleton, category: GarmentCategory, crop: Box, colours: PersonColours): Uint8Array {
  const upper = category !== 'lower';
  const lower = category !== 'upper';
  const sleeves = { left: upper ? sleeveEnd(person, sk, 'left', colours) : 0, right: upper ? sleeveEnd(person, sk, 'right', colours) : 0 };
  const solid = solidSkin(person, crop);
  // Skin seen through a sheer top or in a skin-coloured print is the garment: taken off whole.
  const sheerTop = upper && colours.skinModel && fragmentedSkin(person, crop, new Set([LABEL.upper_clothes]));
  const printedBottom = lower && colours.skinModel && fragmentedSkin(person, crop, new Set([LABEL.lower_clothes, LABEL.legs]));
  const bottomSpan = printedBottom ? rowSpans(person, crop, LABEL.lower_clothes) : null;
  const { x: bx, y: by, width: w, height: h } = crop;
  const img = person.image;
  const ch = img.channels;
  const labels = person.parsing.data;
  const likelihood = person.skin.data;
  const { top, bottom, hair, skin } = colours;
  const shoulderY = Math.min(sk.joint('shoulder', 'left').y, sk.joint('shoulder', 'right').y);
  const hipY = Math.min(sk.joint('hip', 'left').y, sk.joint('hip', 'right').y) - 0.1 * sk.sw;
  // High-waisted trousers start well above the hip joints.
  const waistY = hipY - 0.3 * sk.sw;
  // An arm's outline against the backdrop is half backdrop: on a light backdrop it passes for a
  // light top's colour, so colour alone must not call it fabric there (jagged bare arms).
  const backdrop = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (by + y) * person.width + bx; x < w; x++, i++) backdrop[y * w + x] = labels[i] === LABEL.background ? 1 : 0;
  }
  const nearBackdrop = dilate(backdrop, w, h, 4);
  const old = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const py = by + y;
    for (let x = 0; x < w; x++) {
      const px = bx + x;
      const i = py * person.width + px;
      const o = i * ch;
      const k = y * w + x;
      const l = labels[i];
      const inSheer = (sheerTop && l === LABEL.upper_clothes) || (bottomSpan !== null && (l === LABEL.lower_clothes || l === LABEL.legs) && x >= bottomSpan[2 * y] && x <= bottomSpan[2 * y + 1]);
      if (inSheer) {
        old[y * w + x] = 1;
        continue;
      }
      if (solid[k]) continue;
      const notSkin = !colours.skinModel || likelihood[i] < 128;
      let take = false;
      if (l === LABEL.upper_clothes) {
        // Hair on the shoulders that the parsing called clothes: above them and hair-coloured.
        const isHair = hair && py < shoulderY && (!top || colourDist(img.data, o, top) > 30) && colourDist(img.data, o, hair) < 30;
        // The trousers' waist beside a hanging arm that the parsing called top: the bottom's
        // colour, clearly not the top's. Kept when a top is taken off alone.
        const isBottom = category === 'upper' && bottom && py > waistY && colourDist(img.data, o, bottom) < 40 && nearerTopThanBottom(img.data, o, colours) < -25;
        take = upper ? !isHair && !isBottom : false;
      } else if (l === LABEL.lower_clothes) {
        take = lower;
      } else if (l === LABEL.left_arm || l === LABEL.right_arm) {
        const side = l === LABEL.left_arm ? 'left' : 'right';
        if (upper) {
          const t = armT(sk, side, px + 0.5, py + 0.5);
          const fabric = notSkin && !nearBackdrop[k] && top !== null && colourDist(img.data, o, top) < 45 && (!skin || colourDist(img.data, o, top) < colourDist(img.data, o, skin) - 25);
          take = (t < sleeves[side] && (notSkin || sheerTop)) || fabric;
        }
        // Old trousers beside a hanging arm, that the parsing called arm: away from its bones.
        // Near the bones only when the colour leaves no doubt (a thin arm hangs against them).
        if (lower && !take && bottom && py > waistY && notSkin) {
          const dBottom = colourDist(img.data, o, bottom);
          const dSkin = skin ? colourDist(img.data, o, skin) : Infinity;
          if (dBottom < 45 && dSkin > 60 && (armDistance(sk, px + 0.5, py + 0.5) > 0.1 * sk.sw || (dBottom < 25 && dSkin > 90))) take = true;
        }
      } else if (l === LABEL.hands) {
        // A cuff at the wrist: the old top's colour, not skin.
        if (upper && notSkin && top && colourDist(img.data, o, top) < 45 && (!skin || colourDist(img.data, o, skin) > 40)) take = true;
        if (lower && notSkin && bottom && py > hipY && colourDist(img.data, o, bottom) < 45 && (!skin || colourDist(img.data, o, skin) > 60)) take = true;
      } else if (l === LABEL.legs) {
        // Trouser legs the parsing took for bare legs: not skin, the old trousers' colour.
        take = lower && notSkin && bottom !== null && colourDist(img.data, o, bottom) < 45;
      }
      if (take) old[k] = 1;
    }
  }
  if (upper && colours.skinModel) takeLeftovers(person, crop, old, nearBackdrop, sk.sw, colours);
  // Into skin too: the skin's first pixels at a garment's edge are half cloth (a light rim).
  const may = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (by + y) * person.width + bx; x < w; x++, i++) may[y * w + x] = labels[i] !== LABEL.hair && labels[i] !== LABEL.face ? 1 : 0;
  }
  return growInto(old, w, h, 2, may);
}

/** Labels under which a top's thin parts (straps, a sheer sleeve's edge, a chain) hide from the parsing. */
const BARE_SKIN_LABELS = new Set<number>([LABEL.neck, LABEL.torso_skin, LABEL.left_arm, LABEL.right_arm]);

/**
 * Adds to the old top what the parsing left of it on the skin: thin lines of non-skin joined
 * to it (a strap, a halter's tie, the seam of a sheer sleeve: at most about 4 % of a shoulder
 * width across; a thick non-skin area beside a top is a shadow or the photo's own business)
 * and small islands it encloses (studs, sequins, a print's specks the parsing called skin).
 * Beside the backdrop nothing is added: an arm's anti-aliased outline is not skin-like either.
 */
function takeLeftovers(person: PersonAnalysis, crop: Box, old: Uint8Array, nearBackdrop: Uint8Array, sw: number, colours: PersonColours): void {
  const { x: bx, y: by, width: w, height: h } = crop;
  const n = w * h;
  const r = Math.max(2, Math.round(0.02 * sw));
  // The skin likelihood is smoothed over a few pixels, so a 3-px strap reads as skin: a thin
  // line is found by its contrast with the skin r pixels either side (a grey-level top-hat).
  const lines = thinLines(person, crop, r, 40);
  // The person's outline is half backdrop whatever the parsing says there (hair strands beside
  // a neck): a light top's colour, and a line against the backdrop. Never taken from it.
  const outside = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (by + y) * person.width + bx; x < w; x++, i++) outside[y * w + x] = person.mask.data[i] < 128 ? 1 : 0;
  }
  const nearOutside = dilate(outside, w, h, 3);
  const open = new Uint8Array(n);
  const cloth = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (by + y) * person.width + bx; x < w; x++, i++) {
      const k = y * w + x;
      if (old[k] || nearBackdrop[k] || nearOutside[k] || !BARE_SKIN_LABELS.has(person.parsing.data[i])) continue;
      const o = i * person.image.channels;
      // The trousers beside a hanging arm (labelled arm) are not the top's leftovers.
      const topOverBottom = nearerTopThanBottom(person.image.data, o, colours);
      if (topOverBottom < -10) continue;
      const skinLike = person.skin.data[i] >= 128;
      const clothColour = clothLike(person.image.data, o, colours) && topOverBottom > 10;
      // Wide only where the skin model agrees it is no skin: a white top's colour is also a
      // light skin's highlight (a whole shoulder was taken off as "top" before that).
      cloth[k] = clothColour && !skinLike ? 1 : 0;
      open[k] = clothColour || (lines[k] && skinLike) || !skinLike ? 1 : 0;
    }
  }
  const joined = flood(old, open, w, h);
  const added = new Uint8Array(n);
  for (let k = 0; k < n; k++) added[k] = joined[k] && !old[k] ? 1 : 0;
  // The old top's own colour is taken however wide (the top seen between an arm and the body);
  // what is only unlike skin (a line, a shadow) is taken where it is thin.
  const thick = dilate(erode(added, w, h, r), w, h, r + 1);
  for (let k = 0; k < n; k++) if (added[k] && (cloth[k] || !thick[k])) old[k] = 1;
  // Islands: what the old top encloses that is small and neither face nor hair.
  const kept = new Uint8Array(n);
  for (let k = 0; k < n; k++) kept[k] = old[k] ? 0 : 1;
  const maxArea = (0.06 * sw) ** 2;
  const { members } = components(kept, w, h);
  for (const m of members) {
    if (m.length > maxArea || m.some((k) => onCropEdge(k, w, h))) continue;
    if (m.some((k) => { const l = person.parsing.data[(by + ((k / w) | 0)) * person.width + bx + (k % w)]; return l === LABEL.face || l === LABEL.hair || l === LABEL.background; })) continue;
    for (const k of m) old[k] = 1;
  }
}

/** Whether a pixel's colour is clearly the old top's rather than the skin's (its anti-aliased edge the parsing called skin). */
function clothLike(data: ArrayLike<number>, o: number, colours: PersonColours): boolean {
  if (!colours.top || !colours.skin) return false;
  return colourDist(data, o, colours.top) < colourDist(data, o, colours.skin) - 20;
}

/**
 * How much nearer a pixel's colour is the old top's than the trousers' (negative: nearer the
 * trousers'; blue jeans are nearer a black top than skin is). Infinity without both colours.
 */
function nearerTopThanBottom(data: ArrayLike<number>, o: number, colours: PersonColours): number {
  if (!colours.top || !colours.bottom) return Infinity;
  return colourDist(data, o, colours.bottom) - colourDist(data, o, colours.top);
}

/**
 * Pixels of thin lines over the crop: at least `contrast` darker than the brightest, or lighter
 * than the darkest, luminance within r pixels on both sides (the difference between a
 * grey-level closing or opening and the image: a line up to 2r wide stands out, a broad shadow
 * does not).
 */
function thinLines(person: PersonAnalysis, crop: Box, r: number, contrast: number): Uint8Array {
  const { x: bx, y: by, width: w, height: h } = crop;
  const lum = new Float32Array(w * h);
  const img = person.image;
  const ch = img.channels;
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (by + y) * person.width + bx; x < w; x++, i++) {
      const o = i * ch;
      lum[y * w + x] = ch >= 3 ? 0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2] : img.data[o];
    }
  }
  const closed = rankFilter(rankFilter(lum, w, h, r, 1), w, h, r, -1);
  const opened = rankFilter(rankFilter(lum, w, h, r, -1), w, h, r, 1);
  const out = new Uint8Array(w * h);
  for (let k = 0; k < out.length; k++) out[k] = closed[k] - lum[k] >= contrast || lum[k] - opened[k] >= contrast ? 1 : 0;
  // A line is alone on smooth skin: where lines crowd (hair the parsing called skin, a lace
  // trim's pattern, the photo's texture) none is a strap.
  const R = 3 * r;
  const sums = integral(out, w, h);
  const crowded = 0.2 * (2 * R + 1) ** 2;
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - R);
    const y1 = Math.min(h, y + R + 1);
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (!out[k]) continue;
      const x0 = Math.max(0, x - R);
      const x1 = Math.min(w, x + R + 1);
      if (sums[y1 * (w + 1) + x1] - sums[y0 * (w + 1) + x1] - sums[y1 * (w + 1) + x0] + sums[y0 * (w + 1) + x0] > crowded) out[k] = 0;
    }
  }
  return out;
}

/** Summed-area table of a 0/1 mask, (w + 1) x (h + 1). */
function integral(mask: Uint8Array, w: number, h: number): Uint32Array {
  const s = new Uint32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += mask[y * w + x];
      s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
    }
  }
  return s;
}

/** A (2r+1)^2 square max (sign 1) or min (sign -1) filter, separable. */
function rankFilter(src: Float32Array, w: number, h: number, r: number, sign: 1 | -1): Float32Array {
  const v = new Float32Array(w * h);
  for (let k = 0; k < v.length; k++) v[k] = sign * src[k];
  const tmp = new Float32Array(w * h);
  const line = new RunningMax(w, r);
  for (let y = 0; y < h; y++) line.run(v, tmp, y * w, 1, w);
  const out = columnMax(tmp, w, h, r);
  for (let k = 0; k < out.length; k++) out[k] *= sign;
  return out;
}

/**
 * The maximum over 2r + 1 rows, column by column, as RunningMax does along a line but a whole
 * row at a time (the image walked in memory order: a column at a time strides a row per sample).
 */
function columnMax(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const size = 2 * r + 1;
  const pre = new Float32Array(w * h);
  const suf = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    if (y % size === 0) pre.set(src.subarray(o, o + w), o);
    else for (let x = 0; x < w; x++) pre[o + x] = Math.max(pre[o - w + x], src[o + x]);
  }
  for (let y = h - 1; y >= 0; y--) {
    const o = y * w;
    if (y % size === size - 1 || y === h - 1) suf.set(src.subarray(o, o + w), o);
    else for (let x = 0; x < w; x++) suf[o + x] = Math.max(suf[o + w + x], src[o + x]);
  }
  const out = new Float32Array(w * h);
  const lastBlock = Math.floor((h - 1) / size);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const a = y - r;
    const b = y + r;
    if (a <= 0) {
      out.set(pre.subarray(Math.min(b, h - 1) * w, Math.min(b, h - 1) * w + w), o);
    } else if (b >= h - 1 && Math.floor(a / size) === lastBlock) {
      out.set(suf.subarray(a * w, a * w + w), o);
    } else {
      const pb = Math.min(b, h - 1) * w;
      const sa = a * w;
      for (let x = 0; x < w; x++) out[o + x] = Math.max(suf[sa + x], pre[pb + x]);
    }
  }
  return out;
}

/**
 * The maximum over a sliding window of 2r + 1 along a line (van Herk / Gil-Werman: prefix and
 * suffix maxima per block of the window's length, three comparisons a sample whatever r).
 */
class RunningMax {
  private readonly pre: Float32Array;
  private readonly suf: Float32Array;
  private readonly size: number;

  constructor(
    length: number,
    private readonly r: number,
  ) {
    this.pre = new Float32Array(length);
    this.suf = new Float32Array(length);
    this.size = 2 * r + 1;
  }

  /** out[start + i * stride] = max of src over i - r .. i + r (clipped to 0 .. n - 1). */
  run(src: Float32Array, out: Float32Array, start: number, stride: number, n: number): void {
    const { pre, suf, size, r } = this;
    for (let i = 0, k = 0; i < n; i++, k++) {
      if (k === size) k = 0;
      const s = src[start + i * stride];
      pre[i] = k === 0 ? s : Math.max(pre[i - 1], s);
    }
    for (let i = n - 1; i >= 0; i--) {
      const s = src[start + i * stride];
      suf[i] = i % size === size - 1 || i === n - 1 ? s : Math.max(suf[i + 1], s);
    }
    // A window wholly inside the line spans the end of one block and the start of the next
    // (or exactly one block); one clipped at the start lies in the first block.
    const lastBlock = Math.floor((n - 1) / size);
    for (let i = 0; i < n; i++) {
      const a = i - r;
      const b = i + r;
      let m: number;
      if (a <= 0) m = pre[Math.min(b, n - 1)];
      else if (b >= n - 1) m = Math.floor(a / size) === lastBlock ? suf[a] : Math.max(suf[a], pre[n - 1]);
      else m = Math.max(suf[a], pre[b]);
      out[start + i * stride] = m;
    }
  }
}

function onCropEdge(k: number, w: number, h: number): boolean {
  const x = k % w;
  const y = (k / w) | 0;
  return x === 0 || y === 0 || x === w - 1 || y === h - 1;
}

/** Per crop row, the first and last column of a label ([-1, -2] where the row has none). */
function rowSpans(person: PersonAnalysis, crop: Box, label: number): Int32Array {
  const spans = new Int32Array(crop.height * 2);
  for (let y = 0; y < crop.height; y++) {
    let first = -1;
    let last = -2;
    const row = (crop.y + y) * person.width + crop.x;
    for (let x = 0; x < crop.width; x++) {
      if (person.parsing.data[row + x] !== label) continue;
      if (first < 0) first = x;
      last = x;
    }
    spans[2 * y] = first;
    spans[2 * y + 1] = last;
  }
  return spans;
}

/** Grows a 0/1 mask by r pixels (4-connected steps) into the pixels `may` sets. */
export function growInto(mask: Uint8Array, w: number, h: number, r: number, may: Uint8Array): Uint8Array {
  let cur = mask;
  for (let step = 0; step < r; step++) {
    const next = cur.slice();
    for (let y = 0; y < h; y++) {
      for (let x = 0, k = y * w; x < w; x++, k++) {
        if (cur[k] || !may[k]) continue;
        if ((x > 0 && cur[k - 1]) || (x < w - 1 && cur[k + 1]) || (y > 0 && cur[k - w]) || (y < h - 1 && cur[k + w])) next[k] = 1;
      }
    }
    cur = next;
  }
  return cur;
}
