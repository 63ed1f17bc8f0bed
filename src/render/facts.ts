/**
 * What the render knows about a person whatever the garment (PersonState computes each once
 * and keeps it, src/render/state.ts): whether the analysis has a skin model, the colour to
 * paint skin with, the colours of the old clothes, backdrop and hair, where the old sleeves end
 * and the arms' own outline. The per-pixel roles (roles.ts) read them for every pair; so will
 * the bare body (the person without the old garment).
 */
import { LABEL, type PersonAnalysis, type RGB } from '../types.ts';
import type { Body } from '../fit/body.ts';
import { capsule, project, sleeveT, type Capsule } from './body-shape.ts';

/**
 * The arm's own outline, for painting skin where an old sleeve was: capsules along the bones
 * as wide as the arm's visible skin (its bare forearm, or upper arm below the sleeve), not as
 * the sleeve, which stands off the arm. Null when the arm shows too little skin to measure.
 */
function armRadii(body: Body, side: 'left' | 'right', sleeveEnd: number, skinModel: boolean): { up: number; fore: number } | null {
  const W = body.shoulderWidth;
  const p = body.person;
  const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
  const segs = [
    { a: body.shoulder[side], b: body.elbow[side], from: Math.max(sleeveEnd + 0.1, 0.45), to: 0.9 },
    { a: body.elbow[side], b: body.wrist[side], from: Math.max(sleeveEnd - 1 + 0.1, 0.1), to: 0.85 },
  ];
  const widths = segs.map(({ a, b, from, to }) => {
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (to - from < 0.2 || len < 4) return null;
    const reach = 0.25 * W;
    const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - reach));
    const x1 = Math.min(p.width - 1, Math.ceil(Math.max(a.x, b.x) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - reach));
    const y1 = Math.min(p.height - 1, Math.ceil(Math.max(a.y, b.y) + reach));
    let n = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * p.width + x;
        if (p.parsing.data[i] !== label || (skinModel && p.skin.data[i] < 150)) continue;
        const { t, d2 } = project(x + 0.5, y + 0.5, a, b);
        if (t > from && t < to && d2 < reach * reach) n++;
      }
    }
    // Skin area over the length sampled: the mean width (a slice of it must be mostly seen).
    // (Over 1.15: the arm's anti-aliased outline is not counted as skin.)
    const w = (1.15 * n) / ((to - from) * len);
    return w > 0.08 * W ? w : null;
  });
  let [up, fore] = widths.map((w) => (w === null ? null : w / 2));
  // An upper arm is about a quarter wider than its forearm.
  if (fore !== null) up = Math.max(up ?? 0, 1.25 * fore);
  if (fore === null && up !== null) fore = up / 1.25;
  if (up === null || fore === null) return null;
  return { up: Math.min(Math.max(up, 0.07 * W), 0.22 * W), fore: Math.min(Math.max(fore, 0.05 * W), 0.18 * W) };
}

/**
 * The arms' capsules: as measured (an arm without bare skin takes the other arm's width);
 * null when neither arm shows enough skin (sleeves to the wrists), as then the sleeves'
 * outline, long sleeves being mostly fitted, is the better guess of the arms.
 */
function armShape(body: Body, sleeves: { left: number; right: number }, skinModel: boolean): Capsule[] | null {
  const left = armRadii(body, 'left', sleeves.left, skinModel);
  const right = armRadii(body, 'right', sleeves.right, skinModel);
  const r = { left: left ?? right, right: right ?? left };
  if (!r.left || !r.right) return null;
  return (['left', 'right'] as const).flatMap((side) => [capsule(body.shoulder[side], body.elbow[side], r[side]!.up), capsule(body.elbow[side], body.wrist[side], r[side]!.fore)]);
}

/** Whether the person analysis has a skin model (it has none when the face was not visible). */
export function hasSkinModel(person: PersonAnalysis): boolean {
  let has = false;
  if (person.skinColor[0] + person.skinColor[1] + person.skinColor[2] !== 0) {
    const d = person.skin.data;
    for (let i = 0; i < d.length && !has; i += 97) has = d[i] > 0;
  }
  return has;
}

/** Median colour of the pixels with one of `labels` (every 3rd pixel); null when none. */
export function medianColour(person: PersonAnalysis, labels: ReadonlySet<number>): RGB | null {
  // Histogram medians over every 5th pixel: a whole photo in a few milliseconds.
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const { data } = person.parsing;
  const img = person.image;
  const want = new Uint8Array(256);
  for (const l of labels) want[l] = 1;
  let n = 0;
  for (let i = 0; i < data.length; i += 5) {
    if (!want[data[i]]) continue;
    for (let c = 0; c < 3; c++) hist[c][img.data[i * img.channels + c]]++;
    n++;
  }
  if (n < 20) return null;
  return hist.map((h) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) if ((acc += h[v]) * 2 >= n) return v;
    return 255;
  }) as RGB;
}

export interface PersonFacts {
  skinModel: boolean;
  top: RGB | null;
  bottom: RGB | null;
  backdrop: RGB | null;
  hair: RGB | null;
  skinRef: RGB | null;
  sleeves: { left: number; right: number };
  /** The arms' own outline (see armShape), for skin painted where an old sleeve was; null when unknown. */
  arms: Capsule[] | null;
}

/** What the masks need to know about a person regardless of the garment. */
export function personFacts(p: PersonAnalysis, body: Body, skinModel: boolean): PersonFacts {
  const top = medianColour(p, new Set([LABEL.upper_clothes]));
  // Without a skin model (no face to sample) a sleeve is told by colour alone: arm slices the
  // colour of the old top, and unlike the skin of the hands and neck.
  const skinRef = skinModel ? p.skinColor : medianColour(p, new Set([LABEL.hands, LABEL.neck, LABEL.torso_skin]));
  const sleeves = { left: oldSleeveEnd(body, 'left', top, skinRef, skinModel), right: oldSleeveEnd(body, 'right', top, skinRef, skinModel) };
  const bottom = medianColour(p, new Set([LABEL.lower_clothes]));
  const backdrop = medianColour(p, new Set([LABEL.background]));
  const hair = medianColour(p, new Set([LABEL.hair]));
  const arms = armShape(body, sleeves, skinModel);
  return { skinModel, top, bottom, backdrop, hair, skinRef, sleeves, arms };
}

/** The colour to paint uncovered skin with: the analysis's, or when it has no skin model the bare skin's. */
export function fillSkinColour(person: PersonAnalysis, skinModel: boolean): RGB {
  if (skinModel) return person.skinColor;
  // Hands and neck are bare far more often than arms and legs. (Two scans of the photo: done
  // once per person, PersonState keeps the answer.)
  return (
    medianColour(person, new Set([LABEL.hands, LABEL.neck, LABEL.torso_skin])) ??
    medianColour(person, new Set([LABEL.left_arm, LABEL.right_arm, LABEL.legs])) ?? [190, 150, 125]
  );
}

/**
 * Colour distance that weighs hue over lightness (opponent channels, lightness at half): the
 * lit and the shaded side of one sleeve are the same cloth, while skin and grey cloth of the
 * same lightness are not.
 */
function colourDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const dl = (a[0] + a[1] + a[2] - b[0] - b[1] - b[2]) / 3;
  const d1 = a[0] - a[1] - (b[0] - b[1]);
  const d2 = (a[0] + a[1]) / 2 - a[2] - ((b[0] + b[1]) / 2 - b[2]);
  return Math.hypot(0.5 * dl, d1, d2);
}

/**
 * Where the person's own sleeve ends on an arm (0..2 as sleeveT; 0 = bare arm): the arm is
 * cut in slices along its length and the sleeve runs from the shoulder while the slices'
 * median skin likelihood stays low. Slices, not pixels: the arm's anti-aliased edge has low
 * skin likelihood too and must not count as fabric.
 */
export function oldSleeveEnd(body: Body, side: 'left' | 'right', top: RGB | null, skinRef: RGB | null, skinModel: boolean): number {
  const p = body.person;
  if (!skinModel && !top) return 0;
  const label = side === 'left' ? LABEL.left_arm : LABEL.right_arm;
  const bins = 20;
  const values: number[][] = Array.from({ length: bins }, () => []);
  const colours: number[][][] = Array.from({ length: bins }, () => [[], [], []]);
  const median = (v: number[]): number => v.sort((a, c) => a - c)[Math.floor(v.length / 2)];
  const pts = [body.shoulder[side], body.elbow[side], body.wrist[side]];
  const pad = 0.3 * body.shoulderWidth;
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q.x)) - pad));
  const x1 = Math.min(p.width - 1, Math.ceil(Math.max(...pts.map((q) => q.x)) + pad));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q.y)) - pad));
  const y1 = Math.min(p.height - 1, Math.ceil(Math.max(...pts.map((q) => q.y)) + pad));
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      const i = y * p.width + x;
      if (p.parsing.data[i] !== label) continue;
      const t = sleeveT(body, side, x + 0.5, y + 0.5);
      const b = Math.min(bins - 1, Math.floor((t / 2) * bins));
      values[b].push(p.skin.data[i]);
      for (let c = 0; c < 3; c++) colours[b][c].push(p.image.data[i * p.image.channels + c]);
    }
  }
  let end = 0;
  for (let b = 0; b < bins; b++) {
    const v = values[b];
    if (v.length < 4) continue;
    // Fabric: not skin, and (when the old top is known) the old top's colour.
    // Colour decides first (the skin likelihood accepts grey cloth on dark skin): a slice is
    // sleeve when it is clearly nearer the old top's colour than the skin's.
    const c = colours[b].map(median);
    const dTop = top ? colourDist(c, top) : Infinity;
    const dSkin = skinRef ? colourDist(c, skinRef) : Infinity;
    const fabric = (dTop < 70 && dTop < dSkin - 15) || (skinModel && median(v) < 60 && dTop < 70);
    if (fabric) end = ((b + 1) / bins) * 2;
    else break;
  }
  return end;
}
