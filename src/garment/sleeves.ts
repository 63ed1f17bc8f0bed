/**
 * Armpits, shoulders and sleeve openings of an upper garment (or a dress's top) from its
 * work mask and outline. Per side:
 * - the armpit is the deepest notch of the outline between a sleeve and the body (the corner
 *   under a short sleeve, the top of the gap beside a hanging one), else where the body's
 *   side edge turns sharply (outward into a sleeve, inward into an armhole);
 * - the sleeve's opening (cuff out and in) is a stretch of the outline between the shoulder
 *   and the armpit, found on its simplified polygon: the run between sharp corners farthest
 *   from the sleeve's root. That holds for a sleeve pointing out, angled down (its opening a
 *   long slanted edge ending at the armpit), hanging beside the body, or flaring (bell,
 *   ruffles, puffs);
 * - sleeves that lie over the body (sheer bell sleeves, ruffle tiers, balloon sleeves on a
 *   long dress) show no notch at the armpit: the notch is low, where the sleeve's end meets
 *   the body's hem or skirt. Its opening is found the same way, and the hidden armpit is
 *   placed on the sleeve's inner line (with a warning).
 * The wearer's left is the IMAGE RIGHT (sign +1), the wearer's right the image left (sign -1).
 */
import type { Point } from '../types.ts';
import { nearestIndex, segmentDistance, simplify, stretch, traceOutline, turnAt } from './contour.ts';
import { convexHull, firstInColumn, P, runAt, wedgeApex, type Rows } from './profiles.ts';

/** What the upper-garment stages share: the mask's rows and outline, its centre and width, the neckline's and hem's rows. */
export interface TopFrame {
  g: Rows;
  dress: boolean;
  /** The centre column, the mask's width. */
  cx: number;
  bw: number;
  neckY: number;
  hemY: number;
  /** Neckline to hem. */
  span: number;
  /** The step of the side-edge scans (about 1 % of the height). */
  k: number;
  /** The mask's outline, clockwise on screen (contour.ts). */
  outline: Point[];
  /** The neckline corner of each side (sign -1: image left). */
  neck: (sign: number) => Point;
}

export interface SideLandmarks {
  armpit: Point;
  shoulder: Point;
  cuffOut: Point;
  cuffIn: Point;
  /** A sleeve was found (else the cuffs are the armhole's ends: armpit and shoulder). */
  sleeved: boolean;
}

/** Corners sharper than this split the outline's polygon into runs (radians, 50 degrees). */
const SHARP = (50 * Math.PI) / 180;

/**
 * The garment's outline seen from below: where each column's first run from the top ends (so
 * a gap between sleeve and body that closes again lower down still shows); -1 for an empty column.
 */
export function columnBottoms({ g }: TopFrame): Int32Array {
  const { w, bin } = g;
  const colBottom = new Int32Array(w).fill(-1);
  for (let x = g.left; x <= g.right; x++) {
    let y = firstInColumn(g, x);
    if (y < 0) continue;
    // Step over short breaks: a frayed outer edge is not a gap under the arm.
    const jump = Math.max(3, Math.round(0.02 * g.h));
    for (;;) {
      while (y < g.bottom && bin[(y + 1) * w + x]) y++;
      let next = y + 1;
      while (next <= Math.min(g.bottom, y + jump) && !bin[next * w + x]) next++;
      if (next > Math.min(g.bottom, y + jump)) break;
      y = next;
    }
    colBottom[x] = y;
  }
  return colBottom;
}

/**
 * The deepest notch in the side's outline (seen from below, and from the side): the point
 * farthest inside its convex hull. That is the corner under a short sleeve, the top of the gap
 * beside a hanging long sleeve, or (sleeves lying over the body) where a sleeve's end meets
 * the hem or the skirt. Null when there is no real notch.
 */
function deepestNotch(f: TopFrame, colBottom: Int32Array, sign: number): Point | null {
  const { g, cx, bw, neckY, hemY, span } = f;
  const { w, bin } = g;
  const pts: Point[] = [];
  const inner = cx + sign * 0.1 * bw;
  for (let x = g.left; x <= g.right; x++) {
    if (colBottom[x] >= 0 && sign * (x - inner) > 0) pts.push(P(x, colBottom[x]));
  }
  // Each row's outermost pixel on this side (the body side below a short sleeve).
  for (let y = neckY; y <= hemY; y++) {
    const row = y * w;
    if (sign < 0) {
      for (let x = g.left; x < cx; x++) if (bin[row + x]) { pts.push(P(x, y)); break; }
    } else {
      for (let x = g.right; x > cx; x--) if (bin[row + x]) { pts.push(P(x, y)); break; }
    }
  }
  if (pts.length < 3) return null;
  // The centre line (from the neckline's dip to the bottom) closes the hull on the inside:
  // depth is measured from the outside only.
  const hull = convexHull([...pts, P(cx, Math.max(neckY, firstInColumn(g, cx))), P(cx, g.bottom)]);
  const depths = pts.map((p) => {
    // A notch has garment above it (the sleeve, or where it joins the body): a concave
    // stretch of a flaring sleeve's outer edge has not.
    if (p.y <= neckY || p.y >= g.bottom - 2 || !bin[(p.y - 2) * w + p.x]) return 0;
    let d = Infinity;
    for (let i = 0; i < hull.length; i++) {
      const a1 = hull[i], b1 = hull[(i + 1) % hull.length];
      const len = Math.hypot(b1.x - a1.x, b1.y - a1.y);
      if (len === 0) continue;
      d = Math.min(d, Math.abs((b1.x - a1.x) * (p.y - a1.y) - (b1.y - a1.y) * (p.x - a1.x)) / len);
    }
    return d;
  });
  // The deepest notch that is not a step in a sleeve's outer edge (ruffle tiers).
  const order = depths.map((_, i) => i).sort((a, b) => depths[b] - depths[a]);
  const deepest = order.slice(0, 40).find((i) => depths[i] > 0 && !outerStep(f, pts[i], sign)) ?? order[0];
  const depth = depths[deepest];
  if (depth < Math.max(4, 0.05 * span)) return null;
  // The notch under a flat-laid tee is flat-bottomed (the body side runs parallel to the
  // hull): its top corner, the highest deep point straight above the deepest, is the armpit.
  // (Up a slanted sleeve edge, deep points are not the armpit.)
  let bi = deepest;
  pts.forEach((p, i) => {
    if (depths[i] >= 0.75 * depth && Math.abs(p.x - pts[deepest].x) <= Math.max(1, 0.02 * bw) && p.y < pts[bi].y && !outerStep(f, p, sign)) bi = i;
  });
  return pts[bi];
}

/**
 * A notch in a sleeve's outer edge (where one ruffle tier overhangs the next) rather than
 * between sleeve and body: garment right under it, and the rows just below reach out beyond it.
 */
function outerStep(f: TopFrame, p: Point, sign: number): boolean {
  const { g, bw, span } = f;
  const { w, bin } = g;
  // Garment close under it (a gap beside a hanging sleeve runs on down).
  let under = false;
  for (let y = p.y + 1; y <= Math.min(g.bottom, p.y + Math.max(3, 0.04 * span)) && !under; y++) under = bin[y * w + p.x] === 1;
  if (!under) return false;
  for (let y = p.y + 1; y <= Math.min(g.bottom, p.y + Math.max(3, 0.1 * span)); y++) {
    const row = y * w;
    if (sign < 0) { for (let x = g.left; x < p.x; x++) if (bin[row + x]) { if (p.x - x > 0.02 * bw) return true; break; } }
    else for (let x = g.right; x > p.x; x--) if (bin[row + x]) { if (x - p.x > 0.02 * bw) return true; break; }
  }
  return false;
}

/** How far the outline stands out beyond x = p.x (away from the centre) in the rows from the neckline down to p. */
function reachAbove(f: TopFrame, p: Point, sign: number): number {
  const { g, neckY } = f;
  const { w, bin } = g;
  let reach = 0;
  for (let y = neckY; y <= p.y; y++) {
    const row = y * w;
    if (sign < 0) { for (let x = g.left; x < p.x; x++) if (bin[row + x]) { reach = Math.max(reach, p.x - x); break; } }
    else for (let x = g.right; x > p.x; x--) if (bin[row + x]) { reach = Math.max(reach, x - p.x); break; }
  }
  return reach;
}

/**
 * Where the side edge of the body, scanned upward from mid-body, turns sharply: outward into
 * a sleeve, or inward into an armhole; null when it does not turn below the shoulder line.
 */
function sideTurn(f: TopFrame, sign: number): { armpit: Point; kind: 'sleeve' | 'armhole' } | null {
  const { g, cx, bw, neckY, span, k, dress } = f;
  const startY = Math.round(neckY + (dress ? 0.3 : 0.6) * span);
  const out = new Float32Array(g.h).fill(NaN);
  for (let y = neckY; y <= Math.min(g.bottom, startY + k); y++) {
    const r = runAt(g, y, cx);
    if (r) out[y] = sign < 0 ? cx - r[0] : r[1] - cx;
  }
  for (let y = startY; y >= neckY + k; y--) {
    const D = out[y - k] - out[y];
    if (!(Math.abs(D) > 1.0 * k)) continue;
    // Walk up from y to the first row that turns.
    let r = y;
    while (r > y - k && Math.abs(out[r - 1] - out[r]) <= 1) r--;
    // A turn right under the neckline is the shoulder line of sleeves lying against the body.
    if (r < neckY + 0.1 * span) return null;
    const x = Number.isNaN(out[r]) ? cx + sign * 0.3 * bw : cx + sign * out[r];
    return { armpit: P(x, r), kind: D > 0 ? 'sleeve' : 'armhole' };
  }
  return null;
}

/**
 * The outline, cut open to pass by `p` when p is not on it: the top of a gap beside a
 * hanging sleeve whose cuff touches the body lower down is the top of a hole. A one-pixel
 * cut from the hole straight down to the outside, where that crosses the least garment
 * (through a cuff resting on the body, down the line where sleeve and body touch), lets the
 * outline run round the hole.
 */
function outlineThrough(f: TopFrame, p: Point): Point[] {
  const o = f.outline;
  const i = nearestIndex(o, p);
  if (Math.hypot(o[i].x - p.x, o[i].y - p.y) <= 2) return o;
  const { w, h, bin } = f.g;
  const hole = holeNear(bin, w, h, p, Math.max(3, 0.03 * f.bw));
  if (!hole) return o;
  let best = -1, bestLen = h;
  for (let q = 0; q < w * (h - 1); q++) {
    if (!hole[q] || !bin[q + w]) continue;
    let y = Math.floor(q / w) + 1, len = 0;
    const x = q % w;
    while (y < h && bin[y * w + x] && len < bestLen) { y++; len++; }
    if (len < bestLen && (y === h || !hole[y * w + x])) { bestLen = len; best = q; }
  }
  if (best < 0) return o;
  const cut = bin.slice();
  for (let q = best + w; q < w * h && cut[q]; q += w) cut[q] = 0;
  return traceOutline(cut, w, h);
}

/** The hole (an enclosed background component) with a pixel within `reach` of p; null when the nearest background there is the outside. */
function holeNear(bin: Uint8Array, w: number, h: number, p: Point, reach: number): Uint8Array | null {
  let seed = -1, seedD = Infinity;
  for (let y = Math.max(0, Math.floor(p.y - reach)); y <= Math.min(h - 1, Math.ceil(p.y + reach)); y++) {
    for (let x = Math.max(0, Math.floor(p.x - reach)); x <= Math.min(w - 1, Math.ceil(p.x + reach)); x++) {
      const d = (x - p.x) ** 2 + (y - p.y) ** 2;
      if (!bin[y * w + x] && d < seedD) { seedD = d; seed = y * w + x; }
    }
  }
  if (seed < 0) return null;
  const hole = new Uint8Array(w * h);
  const stack = [seed];
  hole[seed] = 1;
  while (stack.length) {
    const q = stack.pop() as number;
    const x = q % w, y = (q - x) / w;
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) return null;
    for (const n of [q - 1, q + 1, q - w, q + w]) if (!bin[n] && !hole[n]) { hole[n] = 1; stack.push(n); }
  }
  return hole;
}

/** The outline from a to b going round this side (away from the centre line); null when that is not a plausible side stretch. */
function sideStretch(f: TopFrame, a: Point, b: Point, sign: number): Point[] | null {
  const o = outlineThrough(f, b);
  if (o.length < 8) return null;
  // Clockwise on screen runs down the image-right side: forward there, backward on the left.
  const chain = stretch(o, nearestIndex(o, a), nearestIndex(o, b), sign > 0 ? 1 : -1);
  return chain.length > 2 && chain.length < 0.7 * o.length ? chain : null;
}

/**
 * The sleeve's opening on the outline stretch from its root (the shoulder or neckline corner)
 * to its end at the armpit side: the stretch's polygon is split at sharp corners into runs;
 * the first run (from the shoulder) is the sleeve's top edge, and of the others the opening is
 * the one lying farthest from `root` (the middle of the sleeve's seam) and most across the
 * sleeve's direction (from the root to the stretch's farthest corner; down for a sleeve
 * `hanging` over the body). Its end
 * on the shoulder side is the outer end of the cuff, the other the inner end. Null when the
 * stretch has no corner at all.
 */
export function sleeveOpening(chain: Point[], root: Point, bw: number, hanging = false): { out: Point; inn: Point } | null {
  // A rounded sleeve end turns less sharply at any one vertex: look again with a lower bar.
  return openingWith(chain, root, bw, hanging, SHARP) ?? openingWith(chain, root, bw, hanging, SHARP * 0.7);
}

function openingWith(chain: Point[], root: Point, bw: number, hanging: boolean, sharp: number): { out: Point; inn: Point } | null {
  const idx = simplify(chain, Math.max(1.5, 0.02 * bw));
  const V = idx.map((i) => chain[i]);
  const n = V.length - 1;
  if (n < 2) return null;
  const corners = [0];
  for (let i = 1; i < n; i++) if (turnAt(V[i - 1], V[i], V[i + 1]) >= sharp) corners.push(i);
  corners.push(n);
  if (corners.length < 3) return null;
  // The sleeve points from its root to the vertex farthest from the line it hangs from (the
  // stretch's two ends). Its opening lies far out, across that direction (a side edge runs
  // along it, an underarm edge stays near the root) and, a sleeve lying flat or hanging,
  // rather facing down than up or sideways.
  const A = V[n];
  let far = V[0], farD = -1;
  for (const v of V) {
    const d = segmentDistance(v, V[0], A);
    if (d > farD) { farD = d; far = v; }
  }
  const dl = Math.max(1e-6, Math.hypot(far.x - root.x, far.y - root.y));
  const ux = hanging ? 0 : (far.x - root.x) / dl, uy = hanging ? 1 : (far.y - root.y) / dl;
  let best: { out: Point; inn: Point } | null = null;
  let bestScore = -1;
  for (let r = 1; r + 1 < corners.length; r++) {
    const a = V[corners[r]], b = V[corners[r + 1]];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 0.04 * bw) continue;
    const tx = (b.x - a.x) / len, ty = (b.y - a.y) / len;
    const mx = (a.x + b.x) / 2 - root.x, my = (a.y + b.y) / 2 - root.y;
    const along = Math.abs(tx * ux + ty * uy);
    // The chord's normal pointing away from the root: its downward part.
    const down = Math.max(0, (ty * mx - tx * my > 0 ? -1 : 1) * tx);
    const score = Math.hypot(mx, my) * (1.5 - along) * (1 + 0.5 * down);
    if (score > bestScore) { bestScore = score; best = { out: a, inn: b }; }
  }
  return best;
}

/**
 * An opening whose inner end is (nearly) the armpit (a sleeve angled down or a flutter sleeve
 * lying flat: no underarm seam shows) keeps its inner end a little way from the armpit along
 * the opening, so the sleeve's four corners stay four.
 */
function apartFromArmpit(chain: Point[], cuffOut: Point, cuffIn: Point, armpit: Point, bw: number): Point {
  const need = Math.max(2, 0.05 * bw, 0.15 * Math.hypot(cuffOut.x - armpit.x, cuffOut.y - armpit.y));
  if (Math.hypot(cuffIn.x - armpit.x, cuffIn.y - armpit.y) >= need) return cuffIn;
  // Walk the stretch back from the armpit end towards the cuff's outer end.
  const iOut = nearestIndex(chain, cuffOut);
  for (let i = chain.length - 1; i > iOut; i--) {
    if (Math.hypot(chain[i].x - armpit.x, chain[i].y - armpit.y) >= need) return chain[i];
  }
  return cuffIn;
}

/** The outermost point of the top band (the strap of a cami, the shoulder of a tank or of sleeves lying over the body). */
function outerShoulder(f: TopFrame, sign: number, lowest: number): Point {
  const { g, cx, neckY, span } = f;
  const { w, bin } = g;
  let best = P(cx + sign * 0.3 * f.bw, g.top), bestOut = -Infinity;
  const yMax = Math.min(lowest, neckY + Math.round(0.15 * span));
  for (let y = g.top; y <= yMax; y++) {
    for (let x = g.left; x <= g.right; x++) {
      if (!bin[y * w + x]) continue;
      const o = sign * (x - cx) - 0.5 * (y - g.top);
      if (o > bestOut) { bestOut = o; best = P(x, y); }
    }
  }
  return best;
}

/** A sleeve that stands out of the body: its opening's outer end lies well beyond the armpit. */
function standsOut(cuffOut: Point, armpit: Point, sign: number, bw: number): boolean {
  return sign * (cuffOut.x - armpit.x) > 0.08 * bw || cuffOut.y - armpit.y > 0.15 * bw;
}

/**
 * When the stretch ends going down the body's side (under a sleeve whose bottom edge meets
 * the side at a corner), the index of that corner; -1 otherwise.
 */
function cornerAbove(chain: Point[], bw: number): number {
  const idx = simplify(chain, Math.max(1.5, 0.02 * bw));
  if (idx.length < 3) return -1;
  const end = chain[idx[idx.length - 1]];
  for (let k = idx.length - 2; k >= 1; k--) {
    const c = chain[idx[k]];
    if (turnAt(chain[idx[k - 1]], c, chain[idx[k + 1]]) < SHARP) continue;
    // Down the side from the corner: steep, and a good way (not a ruffle's wiggle).
    return end.y - c.y > 2 * Math.abs(end.x - c.x) && end.y - c.y > 0.03 * bw ? idx[k] : -1;
  }
  return -1;
}

/** A sleeve with a visible armpit: its shoulder above the armpit and its opening on the outline between them. */
function sleeveFrom(f: TopFrame, pit: Point, notch: Point, sign: number): SideLandmarks | null {
  let armpit = pit;
  let x = Math.round(armpit.x);
  let shoulder = P(x, Math.max(0, firstInColumn(f.g, x)));
  // To the notch: the apex of a gap's walls may lie inside the mask, above the gap's closed top.
  let chain = sideStretch(f, shoulder, notch, sign);
  if (!chain) return null;
  const corner = cornerAbove(chain, f.bw);
  if (corner >= 0 && Math.hypot(armpit.x - notch.x, armpit.y - notch.y) < 2) {
    // The body's side curving in under the sleeve puts the deepest point below the corner.
    armpit = chain[corner];
    x = Math.round(armpit.x);
    shoulder = P(x, Math.max(0, firstInColumn(f.g, x)));
    chain = sideStretch(f, shoulder, armpit, sign);
    if (!chain) return null;
  }
  const root = P((shoulder.x + armpit.x) / 2, (shoulder.y + armpit.y) / 2);
  const opening = sleeveOpening(chain, root, f.bw);
  if (!opening || !standsOut(opening.out, armpit, sign, f.bw)) return null;
  const cuffIn = apartFromArmpit(chain, opening.out, opening.inn, armpit, f.bw);
  return { armpit, shoulder, cuffOut: opening.out, cuffIn, sleeved: true };
}

/**
 * Sleeves lying over the body: the notch is where the sleeve's end meets the hem or the
 * skirt, low on the garment. The opening is on the stretch from the neckline corner to the
 * notch; it must lie about as low as the notch and stand out beyond it (a sleeveless dress's
 * waist has nothing there). The armpit is hidden: it goes on the sleeve's inner line, about
 * half the shoulder's distance from the centre below the shoulder.
 */
function sleeveOverBody(f: TopFrame, notch: Point, sign: number): SideLandmarks | null {
  const { cx, bw, span } = f;
  const chain = sideStretch(f, f.neck(sign), notch, sign);
  if (!chain) return null;
  const opening = sleeveOpening(chain, P((f.neck(sign).x + notch.x) / 2, (f.neck(sign).y + notch.y) / 2), bw, true);
  if (!opening) return null;
  const { out, inn } = opening;
  const shoulder = outerShoulder(f, sign, notch.y);
  const low = Math.max(out.y, inn.y) > notch.y - 0.1 * span;
  const outward = sign * (out.x - notch.x) > 0.1 * bw && sign * (out.x - inn.x) > 0.05 * bw && sign * (out.x - shoulder.x) > -0.05 * bw;
  if (!low || !outward) return null;
  const half = Math.abs(shoulder.x - cx);
  const y = Math.min(shoulder.y + half, (shoulder.y + Math.min(inn.y, notch.y)) / 2);
  const armpit = P(inn.x, Math.round(y));
  return { armpit, shoulder, cuffOut: out, cuffIn: inn, sleeved: true };
}

/** A sleeveless side: the armhole's ends (the armpit, and the top band's outer point as the shoulder). */
function sleeveless(f: TopFrame, armpit: Point, sign: number): SideLandmarks {
  const shoulder = outerShoulder(f, sign, armpit.y - Math.max(2, Math.round(0.05 * f.span)));
  return { armpit, shoulder, cuffOut: shoulder, cuffIn: armpit, sleeved: false };
}

/** The armpit, shoulder and sleeve opening of one side (sign -1: the image left, the wearer's right). */
export function sideLandmarks(f: TopFrame, colBottom: Int32Array, sign: number, warnings: string[]): SideLandmarks {
  const { neckY, span, dress, bw } = f;
  const name = sign < 0 ? 'right' : 'left';
  const notch = deepestNotch(f, colBottom, sign);
  // An armpit sits in the upper body, not in the notch between a cuff and the hem.
  if (notch && notch.y <= neckY + (dress ? 0.4 : 0.7) * span) {
    const apex = wedgeApex(f.g, notch, 0.3 * span);
    const armpit = apex.y > neckY ? P(Math.round(apex.x), Math.round(apex.y)) : notch;
    // A notch with nothing standing out beside and above it is an armhole curve (a
    // sleeveless dress narrowing to its waist), not the corner under a sleeve.
    if (reachAbove(f, notch, sign) > 0.08 * bw) return sleeveFrom(f, armpit, notch, sign) ?? sleeveless(f, armpit, sign);
  } else if (notch) {
    const s = sleeveOverBody(f, notch, sign);
    if (s) {
      warnings.push(`the ${name} sleeve lies over the body: its armpit is hidden and placed on the sleeve's inner line`);
      return s;
    }
  }
  const turn = sideTurn(f, sign);
  if (turn?.kind === 'sleeve') {
    const s = sleeveFrom(f, turn.armpit, turn.armpit, sign);
    if (s) return s;
  }
  if (turn) return sleeveless(f, turn.armpit, sign);
  warnings.push(`no clear ${name} armpit: placed by proportion`);
  const y = Math.round(neckY + (dress ? 0.15 : 0.3) * span);
  const r = runAt(f.g, y, f.cx);
  const x = r ? (sign < 0 ? r[0] : r[1]) : f.cx + sign * 0.3 * bw;
  return sleeveless(f, P(x, y), sign);
}
