/**
 * Outlines and details of the built-in garments, drawn in a 768x1024 product-photo frame
 * (front view, wearer's left on the image right). Each shape is built from its landmarks, so
 * the landmarks of a template are exact. Details (seams, rib, collar, placket, pockets) are
 * SVG strokes in darker/lighter tints of the garment colour; shading and texture are added
 * to the raster afterwards (templates.ts).
 */
import type { DressLandmarks, GarmentCategory, LowerLandmarks, Point, SleeveLength, UpperLandmarks } from '../types.ts';

export type TemplateName = 'tshirt' | 'polo' | 'longsleeve' | 'tank' | 'dress' | 'trousers' | 'shorts' | 'skirt';

export interface Shape<L extends UpperLandmarks | LowerLandmarks | DressLandmarks = UpperLandmarks | LowerLandmarks | DressLandmarks> {
  category: GarmentCategory;
  sleeve: SleeveLength;
  cropped: boolean;
  /** Every landmark of its category: the shape is built from them. */
  landmarks: L;
  /** Silhouette path (the mask). */
  outline: string;
  /** Extra SVG drawn over the fill; `{dark}`, `{darker}`, `{light}` are replaced by tints. */
  details: string;
  /** Horizontal extent of the body for cylinder shading: [left, right] x. */
  body: [number, number];
  /** Denim twill texture and contrast stitching. */
  denim?: boolean;
}

const p = (pt: Point): string => `${pt.x} ${pt.y}`;
const mirror = (pt: Point): Point => ({ x: 768 - pt.x, y: pt.y });

/** A right-side landmark name's left twin: 'cuff_right_in' -> 'cuff_left_in'. */
type Left<N extends string> = N extends `${infer A}right${infer B}` ? `${A}left${B}` : N;

/** Landmarks of one side (wearer's right = image left) mirrored to the other side, and the centre ones. */
function symmetric<R extends string, C extends string>(right: Record<R, Point>, centre: Record<C, Point>): Record<R | Left<R> | C, Point> {
  const lm = { ...centre } as Record<string, Point>;
  for (const [name, pt] of Object.entries(right) as [string, Point][]) {
    lm[name] = pt;
    lm[name.replace('right', 'left')] = mirror(pt);
  }
  return lm as Record<R | Left<R> | C, Point>;
}

const SEAM = 'fill="none" stroke="{darker}" stroke-width="1.6" stroke-dasharray="5 3" opacity="0.7"';

/** Ribbed neck band along the front neckline: a wide band with fine cross ribs. */
function rib(from: Point, via: Point, to: Point, width: number): string {
  const c = { x: 2 * via.x - (from.x + to.x) / 2, y: 2 * via.y - (from.y + to.y) / 2 };
  const d = `M ${p(from)} Q ${p(c)} ${p(to)}`;
  return (
    `<path d="${d}" fill="none" stroke="{dark}" stroke-width="${width}" stroke-linecap="round"/>` +
    `<path d="${d}" fill="none" stroke="{darker}" stroke-width="${width}" stroke-dasharray="1.2 2.4" opacity="0.35"/>` +
    `<path d="M ${from.x} ${from.y + width / 2 + 2} Q ${c.x} ${c.y + width / 2 + 2} ${to.x} ${to.y + width / 2 + 2}" ${SEAM}/>`
  );
}

/** Front neck curve through `via`, and the darker inside of the back neck above it. */
function neck(nr: Point, cf: Point, nl: Point, backDip: number): { front: string; inner: string } {
  const c = { x: 2 * cf.x - (nr.x + nl.x) / 2, y: 2 * cf.y - (nr.y + nl.y) / 2 };
  return {
    front: `Q ${p(c)} ${p(nl)}`,
    inner: `<path d="M ${p(nr)} Q ${cf.x} ${nr.y + 2 * backDip} ${p(nl)} Q ${p(c)} ${p(nr)} Z" fill="{darker}" opacity="0.55"/>`,
  };
}

function topOutline(lm: UpperLandmarks, backDip: number, sleeveless: boolean): string {
  const cf = lm.center_front;
  const nr = lm.neckline_right, nl = lm.neckline_left;
  // The silhouette's top edge is the back neckline (a shallow dip): the inside back shows.
  const back = `M ${p(nr)} Q ${cf.x} ${nr.y + 2 * backDip} ${p(nl)}`;
  const sideL = sleeveless
    ? `L ${p(lm.shoulder_left)} C ${lm.shoulder_left.x + 10} ${lm.shoulder_left.y + 120} ${lm.armpit_left.x + 40} ${lm.armpit_left.y - 20} ${p(lm.armpit_left)}`
    : `Q ${(lm.neckline_left.x + lm.shoulder_left.x) / 2} ${lm.shoulder_left.y - 12} ${p(lm.shoulder_left)} L ${p(lm.cuff_left_out)} L ${p(lm.cuff_left_in)} L ${p(lm.armpit_left)}`;
  const sideR = sleeveless
    ? `L ${p(lm.armpit_right)} C ${lm.armpit_right.x - 40 + 80} ${lm.armpit_right.y - 20} ${lm.shoulder_right.x - 10 + 20} ${lm.shoulder_right.y + 120} ${p(lm.shoulder_right)}`
    : `L ${p(lm.armpit_right)} L ${p(lm.cuff_right_in)} L ${p(lm.cuff_right_out)} L ${p(lm.shoulder_right)} Q ${(lm.neckline_right.x + lm.shoulder_right.x) / 2} ${lm.shoulder_right.y - 12} ${p(nr)}`;
  const hl = lm.top_hem_left, hr = lm.top_hem_right;
  const hem = `L ${p(hl)} Q 384 ${hl.y + 10} ${p(hr)}`;
  return `${back} ${sideL} ${hem} ${sideR} Z`;
}

function sleeveSeams(lm: UpperLandmarks): string {
  let s = '';
  for (const side of ['left', 'right'] as const) {
    const sh = lm[`shoulder_${side}`], ap = lm[`armpit_${side}`];
    const ci = lm[`cuff_${side}_in`], co = lm[`cuff_${side}_out`];
    const nk = lm[`neckline_${side}`];
    s += `<path d="M ${p(nk)} L ${p(sh)}" ${SEAM}/>`;
    s += `<path d="M ${p(sh)} Q ${(sh.x + ap.x) / 2 + (side === 'left' ? -8 : 8)} ${(sh.y + ap.y) / 2} ${p(ap)}" ${SEAM}/>`;
    // Sleeve hem stitching, parallel to the cuff, 16 px in.
    const dx = (sh.x + ap.x) / 2 - (ci.x + co.x) / 2, dy = (sh.y + ap.y) / 2 - (ci.y + co.y) / 2;
    const n = Math.hypot(dx, dy) || 1;
    const ox = (dx / n) * 16, oy = (dy / n) * 16;
    s += `<path d="M ${co.x + ox} ${co.y + oy} L ${ci.x + ox} ${ci.y + oy}" ${SEAM}/>`;
  }
  return s;
}

function hemSeam(l: Point, r: Point, up = 18): string {
  return `<path d="M ${r.x + 4} ${r.y - up} Q 384 ${r.y - up + 10} ${l.x - 4} ${l.y - up}" ${SEAM}/>`;
}

type XY = [number, number];

/** A sleeved top's landmarks from its wearer's-right side (image left) and its centre front. */
function sleevedTop(right: { neckline: XY; shoulder: XY; cuffOut: XY; cuffIn: XY; armpit: XY; hem: XY }, centre: XY): UpperLandmarks {
  const pt = ([x, y]: XY): Point => ({ x, y });
  return symmetric(
    {
      neckline_right: pt(right.neckline),
      shoulder_right: pt(right.shoulder),
      cuff_right_out: pt(right.cuffOut),
      cuff_right_in: pt(right.cuffIn),
      armpit_right: pt(right.armpit),
      top_hem_right: pt(right.hem),
    },
    { center_front: pt(centre) },
  );
}

function tshirt(): Shape<UpperLandmarks> {
  const lm = sleevedTop({ neckline: [326, 150], shoulder: [214, 186], cuffOut: [112, 400], cuffIn: [190, 446], armpit: [236, 352], hem: [228, 890] }, [384, 214]);
  const { inner } = neck(lm.neckline_right, lm.center_front, lm.neckline_left, 14);
  const details =
    inner + rib(lm.neckline_right, lm.center_front, lm.neckline_left, 16) + sleeveSeams(lm) + hemSeam(lm.top_hem_left, lm.top_hem_right);
  return { category: 'upper', sleeve: 'short', cropped: false, landmarks: lm, outline: topOutline(lm, 14, false), details, body: [228, 540] };
}

function polo(): Shape<UpperLandmarks> {
  const s = tshirt();
  const lm = s.landmarks;
  lm.center_front = { x: 384, y: 196 };
  const nr = lm.neckline_right, nl = lm.neckline_left;
  const { inner } = neck(nr, lm.center_front, nl, 14);
  // Flat knit collar: two wings folded down over the shoulders, meeting at the placket top.
  const collar = (side: 1 | -1): string => {
    const n = side === 1 ? nl : nr;
    const tip = { x: 384 + side * 62, y: 262 };
    return `<path d="M ${n.x - side * 4} ${n.y - 6} Q ${n.x + side * 40} ${n.y + 10} ${n.x + side * 54} ${n.y + 44} L ${p(tip)} L ${384 + side * 4} ${lm.center_front.y + 4} Q ${384 + side * 30} ${n.y + 20} ${n.x - side * 4} ${n.y - 6} Z" fill="{light}" stroke="{darker}" stroke-width="1.4"/>`;
  };
  const placket =
    `<rect x="366" y="196" width="36" height="190" rx="3" fill="{dark}" opacity="0.45"/>` +
    `<rect x="366" y="196" width="36" height="190" rx="3" ${SEAM}/>` +
    [240, 296, 352]
      .map((y) => `<circle cx="384" cy="${y}" r="7" fill="{light}" stroke="{darker}" stroke-width="1.5"/><circle cx="381.5" cy="${y}" r="1.2" fill="{darker}"/><circle cx="386.5" cy="${y}" r="1.2" fill="{darker}"/>`)
      .join('');
  const details = inner + placket + sleeveSeams(lm) + hemSeam(lm.top_hem_left, lm.top_hem_right) + collar(-1) + collar(1);
  return { ...s, landmarks: lm, details };
}

function longsleeve(): Shape<UpperLandmarks> {
  const lm = sleevedTop({ neckline: [328, 140], shoulder: [222, 176], cuffOut: [128, 828], cuffIn: [192, 844], armpit: [250, 340], hem: [244, 884] }, [384, 204]);
  const { inner } = neck(lm.neckline_right, lm.center_front, lm.neckline_left, 12);
  // Ribbed cuffs.
  let cuffs = '';
  for (const side of ['left', 'right'] as const) {
    const ci = lm[`cuff_${side}_in`], co = lm[`cuff_${side}_out`];
    cuffs += `<path d="M ${co.x} ${co.y - 1} L ${ci.x} ${ci.y - 1}" stroke="{dark}" stroke-width="44" stroke-dasharray="1.5 2.5" opacity="0.4" transform="translate(0 -21)"/>`;
  }
  const details =
    inner + rib(lm.neckline_right, lm.center_front, lm.neckline_left, 14) + sleeveSeams(lm) + cuffs + hemSeam(lm.top_hem_left, lm.top_hem_right);
  return { category: 'upper', sleeve: 'long', cropped: false, landmarks: lm, outline: topOutline(lm, 12, false), details, body: [244, 524] };
}

function tank(): Shape<UpperLandmarks> {
  const right = {
    neckline_right: { x: 316, y: 146 },
    shoulder_right: { x: 270, y: 146 },
    armpit_right: { x: 226, y: 392 },
    top_hem_right: { x: 222, y: 890 },
  };
  const lm = symmetric({ ...right, cuff_right_in: right.armpit_right, cuff_right_out: right.shoulder_right }, { center_front: { x: 384, y: 318 } });
  // A tank's silhouette top edge is the strap tops and the front scoop (no back visible).
  const nr = lm.neckline_right, nl = lm.neckline_left, cf = lm.center_front;
  const c = { x: 2 * cf.x - (nr.x + nl.x) / 2, y: 2 * cf.y - (nr.y + nl.y) / 2 };
  const al = lm.armpit_left, ar = lm.armpit_right, sl = lm.shoulder_left, sr = lm.shoulder_right;
  const hl = lm.top_hem_left, hr = lm.top_hem_right;
  const outline =
    `M ${p(nr)} Q ${p(c)} ${p(nl)} L ${p(sl)} C ${sl.x - 6} ${sl.y + 150} ${al.x - 50} ${al.y - 30} ${p(al)} ` +
    `L ${p(hl)} Q 384 ${hl.y + 10} ${p(hr)} L ${p(ar)} C ${ar.x + 50} ${ar.y - 30} ${sr.x + 6} ${sr.y + 150} ${p(sr)} Z`;
  const binding = (d: string): string => `<path d="${d}" fill="none" stroke="{dark}" stroke-width="10" opacity="0.8"/><path d="${d}" ${SEAM} transform="translate(0 7)"/>`;
  const details =
    binding(`M ${nr.x + 4} ${nr.y + 2} Q ${c.x} ${c.y - 4} ${nl.x - 4} ${nl.y + 2}`) +
    binding(`M ${sl.x - 4} ${sl.y + 2} C ${sl.x - 10} ${sl.y + 150} ${al.x - 46} ${al.y - 34} ${al.x - 2} ${al.y - 4}`) +
    binding(`M ${sr.x + 4} ${sr.y + 2} C ${sr.x + 10} ${sr.y + 150} ${ar.x + 46} ${ar.y - 34} ${ar.x + 2} ${ar.y - 4}`) +
    hemSeam(hl, hr);
  return { category: 'upper', sleeve: 'none', cropped: false, landmarks: lm, outline, details, body: [222, 546] };
}

function dress(): Shape<DressLandmarks> {
  const right = {
    neckline_right: { x: 322, y: 96 },
    shoulder_right: { x: 268, y: 100 },
    armpit_right: { x: 240, y: 290 },
    top_hem_right: { x: 262, y: 440 },
    hemline_right: { x: 146, y: 968 },
  };
  const lm = symmetric({ ...right, cuff_right_in: right.armpit_right, cuff_right_out: right.shoulder_right }, { center_front: { x: 384, y: 214 } });
  const nr = lm.neckline_right, nl = lm.neckline_left, cf = lm.center_front;
  const c = { x: 2 * cf.x - (nr.x + nl.x) / 2, y: 2 * cf.y - (nr.y + nl.y) / 2 };
  const al = lm.armpit_left, ar = lm.armpit_right, sl = lm.shoulder_left, sr = lm.shoulder_right;
  const wl = lm.top_hem_left, wr = lm.top_hem_right, hl = lm.hemline_left, hr = lm.hemline_right;
  const outline =
    `M ${p(nr)} Q ${p(c)} ${p(nl)} L ${p(sl)} C ${sl.x} ${sl.y + 110} ${al.x - 30} ${al.y - 30} ${p(al)} ` +
    `Q ${al.x + 4} ${(al.y + wl.y) / 2} ${p(wl)} Q ${wl.x + 40} ${wl.y + 250} ${p(hl)} ` +
    `Q 384 ${hl.y + 26} ${p(hr)} Q ${wr.x - 40} ${wr.y + 250} ${p(wr)} Q ${ar.x - 4} ${(ar.y + wr.y) / 2} ${p(ar)} ` +
    `C ${ar.x + 30} ${ar.y - 30} ${sr.x} ${sr.y + 110} ${p(sr)} Z`;
  const details =
    `<path d="M ${nr.x + 4} ${nr.y + 4} Q ${c.x} ${c.y - 6} ${nl.x - 4} ${nl.y + 4}" fill="none" stroke="{dark}" stroke-width="8" opacity="0.7"/>` +
    // Waist seam and skirt gathers.
    `<path d="M ${p(wr)} Q 384 ${wr.y + 12} ${p(wl)}" fill="none" stroke="{darker}" stroke-width="2.2" opacity="0.8"/>` +
    [-3, -2, -1, 0, 1, 2, 3]
      .map((k) => `<path d="M ${384 + k * 30} ${wl.y + 10} Q ${384 + k * 44} ${wl.y + 300} ${384 + k * 62} ${hl.y + 10}" fill="none" stroke="{darker}" stroke-width="10" opacity="0.10"/>`)
      .join('') +
    // Bust darts.
    `<path d="M ${ar.x + 10} ${ar.y + 30} L ${ar.x + 80} ${ar.y + 50}" ${SEAM}/><path d="M ${al.x - 10} ${al.y + 30} L ${al.x - 80} ${al.y + 50}" ${SEAM}/>` +
    `<path d="M ${hr.x + 6} ${hr.y - 20} Q 384 ${hr.y + 4} ${hl.x - 6} ${hl.y - 20}" ${SEAM}/>`;
  return { category: 'dress', sleeve: 'none', cropped: false, landmarks: lm, outline, details, body: [200, 568] };
}

function trousers(short: boolean, denim: boolean): Shape<LowerLandmarks> {
  const bottomY = short ? 560 : 972;
  const lm = symmetric(
    {
      waistband_right: { x: 250, y: 84 },
      bottom_right_out: { x: short ? 214 : 230, y: bottomY },
      bottom_right_in: { x: short ? 372 : 366, y: bottomY },
    },
    { crotch: { x: 384, y: short ? 400 : 420 } },
  );
  const wr = lm.waistband_right, wl = lm.waistband_left, cr = lm.crotch;
  const ro = lm.bottom_right_out, ri = lm.bottom_right_in, lo = lm.bottom_left_out, li = lm.bottom_left_in;
  const outline =
    `M ${p(wr)} L ${p(wl)} Q ${wl.x + 22} ${wl.y + 180} ${wl.x + 14} ${wl.y + 300} L ${p(lo)} L ${p(li)} ` +
    `L ${cr.x + 4} ${cr.y + 10} Q ${cr.x} ${cr.y - 4} ${cr.x - 4} ${cr.y + 10} L ${p(ri)} L ${p(ro)} L ${wr.x - 14} ${wr.y + 300} Q ${wr.x - 22} ${wr.y + 180} ${p(wr)} Z`;
  const stitch = denim ? 'fill="none" stroke="#d8a13a" stroke-width="1.8" stroke-dasharray="6 3" opacity="0.9"' : SEAM;
  const details =
    `<rect x="${wr.x}" y="${wr.y}" width="${wl.x - wr.x}" height="46" fill="{dark}" opacity="0.35"/>` +
    `<path d="M ${wr.x} ${wr.y + 46} L ${wl.x} ${wl.y + 46}" ${stitch}/><path d="M ${wr.x} ${wr.y + 6} L ${wl.x} ${wl.y + 6}" ${stitch}/>` +
    [300, 340, 428, 468]
      .map((x) => `<rect x="${x}" y="${wr.y - 2}" width="10" height="52" rx="2" fill="{dark}" opacity="0.6"/>`)
      .join('') +
    `<circle cx="384" cy="${wr.y + 23}" r="8" fill="{light}" stroke="{darker}" stroke-width="1.5"/>` +
    // Fly and front pockets.
    `<path d="M 392 ${wr.y + 46} L 392 ${cr.y - 70} Q 392 ${cr.y - 40} 370 ${cr.y - 30}" ${stitch}/>` +
    `<path d="M ${wr.x + 4} ${wr.y + 110} Q ${wr.x + 60} ${wr.y + 100} ${wr.x + 80} ${wr.y + 48}" ${stitch}/>` +
    `<path d="M ${wl.x - 4} ${wl.y + 110} Q ${wl.x - 60} ${wl.y + 100} ${wl.x - 80} ${wl.y + 48}" ${stitch}/>` +
    // Pressed creases down each leg, and hem stitching.
    `<path d="M ${(wr.x + 384) / 2 - 10} ${wr.y + 120} L ${(ro.x + ri.x) / 2} ${ro.y - 4}" fill="none" stroke="{light}" stroke-width="3" opacity="0.35"/>` +
    `<path d="M ${(wl.x + 384) / 2 + 10} ${wl.y + 120} L ${(lo.x + li.x) / 2} ${lo.y - 4}" fill="none" stroke="{light}" stroke-width="3" opacity="0.35"/>` +
    `<path d="M ${ro.x + 2} ${ro.y - 18} L ${ri.x - 2} ${ri.y - 18}" ${stitch}/><path d="M ${li.x + 2} ${li.y - 18} L ${lo.x - 2} ${lo.y - 18}" ${stitch}/>`;
  return { category: 'lower', sleeve: 'none', cropped: false, landmarks: lm, outline, details, body: [wr.x - 20, wl.x + 20], denim };
}

function skirt(): Shape<LowerLandmarks> {
  const bottomY = 760;
  const half = 0.05 * (584 - 184);
  const lm = symmetric(
    {
      waistband_right: { x: 274, y: 120 },
      bottom_right_out: { x: 184, y: bottomY },
      bottom_right_in: { x: 384 - half, y: bottomY },
    },
    // A skirt has no leg gap: its "crotch" is the middle of the hem (as analysis reports it).
    { crotch: { x: 384, y: bottomY } },
  );
  const wr = lm.waistband_right, wl = lm.waistband_left, ro = lm.bottom_right_out, lo = lm.bottom_left_out;
  const outline = `M ${p(wr)} L ${p(wl)} Q ${wl.x + 30} ${wl.y + 300} ${p(lo)} Q 384 ${lo.y + 18} ${p(ro)} Q ${wr.x - 30} ${wr.y + 300} ${p(wr)} Z`;
  const details =
    `<path d="M ${wr.x} ${wr.y + 22} L ${wl.x} ${wl.y + 22}" fill="none" stroke="{dark}" stroke-width="44" opacity="0.3"/>` +
    `<path d="M ${wr.x} ${wr.y + 44} L ${wl.x} ${wl.y + 44}" ${SEAM}/>` +
    [-2, -1, 0, 1, 2]
      .map((k) => `<path d="M ${384 + k * 40} ${wr.y + 48} Q ${384 + k * 60} ${wr.y + 300} ${384 + k * 84} ${ro.y}" fill="none" stroke="{darker}" stroke-width="12" opacity="0.10"/>`)
      .join('') +
    `<path d="M ${ro.x + 6} ${ro.y - 20} Q 384 ${ro.y - 2} ${lo.x - 6} ${lo.y - 20}" ${SEAM}/>`;
  return { category: 'lower', sleeve: 'none', cropped: false, landmarks: lm, outline, details, body: [ro.x, lo.x] };
}

export function shapeOf(name: TemplateName, denim = false): Shape {
  switch (name) {
    case 'tshirt':
      return tshirt();
    case 'polo':
      return polo();
    case 'longsleeve':
      return longsleeve();
    case 'tank':
      return tank();
    case 'dress':
      return dress();
    case 'trousers':
      return trousers(false, denim);
    case 'shorts':
      return trousers(true, denim);
    case 'skirt':
      return skirt();
  }
}
