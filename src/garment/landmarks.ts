/**
 * FashionAI-style landmarks from the geometry of a garment mask (front-view product photo).
 * Everything here reads row and column profiles of the 0/1 work mask:
 * - the neckline corners are the highest points of the top profile either side of the
 *   centre; centre front is the neckline dip, or the strongest horizontal edge under it when
 *   the inside back of the neck fills the dip;
 * - the armpit is where the side edge of the body (scanned upward from mid-body) turns
 *   sharply: outward into a sleeve, or inward into an armhole (sleeveless);
 * - the cuffs are the far end of the sleeve (mask outside the body line), split into the
 *   corner on the armpit side (in) and the shoulder side (out);
 * - hem, waistband and leg openings are the run ends of the bottom / top rows;
 * - the crotch is the top of the gap between the legs.
 * The wearer's left is the IMAGE RIGHT.
 */
import type { FoundLandmarks, GarmentCategory, GarmentLandmarkName, Point, SleeveLength } from '../types.ts';

export interface MaskGeometry {
  landmarks: FoundLandmarks;
  sleeve: SleeveLength;
  cropped: boolean;
  warnings: string[];
}

interface Rows {
  w: number;
  h: number;
  bin: Uint8Array;
  top: number;
  bottom: number;
  left: number;
  right: number;
  cx: number;
}

function rowsOf(bin: Uint8Array, w: number, h: number): Rows {
  let top = h, bottom = -1, left = w, right = -1, sx = 0, n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!bin[y * w + x]) continue;
      if (y < top) top = y;
      bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
      sx += x;
      n++;
    }
  }
  return { w, h, bin, top, bottom, left, right, cx: n ? sx / n : w / 2 };
}

/** The run of row y that contains x, or the nearest run; null when the row is empty. */
function runAt(g: Rows, y: number, x: number): [number, number] | null {
  const { w, bin } = g;
  const row = y * w;
  let best: [number, number] | null = null;
  let bestD = Infinity;
  let x0 = -1;
  for (let i = 0; i <= w; i++) {
    const on = i < w && bin[row + i] === 1;
    if (on && x0 < 0) x0 = i;
    if (!on && x0 >= 0) {
      const x1 = i - 1;
      const d = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      if (d < bestD) { bestD = d; best = [x0, x1]; }
      x0 = -1;
    }
  }
  return best;
}

function firstInColumn(g: Rows, x: number): number {
  for (let y = g.top; y <= g.bottom; y++) if (g.bin[y * g.w + x]) return y;
  return -1;
}

const P = (x: number, y: number): Point => ({ x, y });

/**
 * The apex of a wedge-shaped gap that opens downward from `top` (the gap beside a hanging
 * sleeve, between trouser legs). Near its apex the gap is too narrow to survive the mask's
 * closing, so the found top is low; the gap's two walls, fitted as lines over the rows below
 * and extended upward, meet at the true apex. Returns `top` when there is no wedge there.
 */
function wedgeApex(g: Rows, top: Point, maxRise: number): Point {
  const { w, bin } = g;
  const ys: number[] = [], ls: number[] = [], rs: number[] = [];
  // Rows a little below the found top: right under it the closing has rounded the walls.
  const from = Math.round(top.y) + Math.max(3, Math.round(0.02 * g.h));
  const to = Math.round(top.y) + Math.max(10, Math.round(0.12 * g.h));
  let x = Math.round(top.x);
  for (let y = Math.round(top.y) + 1; y <= Math.min(g.bottom, to); y++) {
    const row = y * w;
    if (bin[row + x]) {
      // Follow the gap if it drifts: nearest empty pixel within 3 px.
      let found = -1;
      for (let d = 1; d <= 3 && found < 0; d++) {
        if (x - d >= 0 && !bin[row + x - d]) found = x - d;
        else if (x + d < w && !bin[row + x + d]) found = x + d;
      }
      if (found < 0) continue;
      x = found;
    }
    let l = x, r = x;
    while (l > g.left && !bin[row + l - 1]) l--;
    while (r < g.right && !bin[row + r + 1]) r++;
    if (l <= g.left || r >= g.right) return top; // open to the side: a corner, not a wedge
    x = Math.round((l + r) / 2);
    if (y < from) continue;
    ys.push(y);
    ls.push(l - 0.5);
    rs.push(r + 0.5);
    x = Math.round((l + r) / 2);
  }
  if (ys.length < 5) return top;
  const fit = (v: number[]): [number, number] => {
    const n = ys.length;
    const my = ys.reduce((a, b) => a + b, 0) / n, mv = v.reduce((a, b) => a + b, 0) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { sxy += (ys[i] - my) * (v[i] - mv); sxx += (ys[i] - my) ** 2; }
    const b = sxx ? sxy / sxx : 0;
    return [mv - b * my, b];
  };
  const [a1, b1] = fit(ls);
  const [a2, b2] = fit(rs);
  if (b2 - b1 <= 0.02) return top; // walls not converging upward
  const y = (a1 - a2) / (b2 - b1);
  if (!(y < top.y) || top.y - y > maxRise) return top;
  return P(a1 + b1 * y, y);
}

interface Upper {
  lm: FoundLandmarks;
  sleeve: SleeveLength;
  cropped: boolean;
  warnings: string[];
  armpitY: number;
}

/** What the upper-garment stages share: the mask's rows, its centre and width, the neckline's and hem's rows. */
interface TopFrame {
  g: Rows;
  dress: boolean;
  /** The centre column, the mask's width. */
  cx: number;
  bw: number;
  neckY: number;
  hemY: number;
  /** The hem row's run through the centre. */
  hemRun: [number, number];
  /** Neckline to hem. */
  span: number;
  /** The step of the side-edge scans (about 1 % of the height). */
  k: number;
}

/** A neckline corner: the highest point of the top profile on one side of the centre (sign -1: the image left, the wearer's right). */
function necklineCorner(g: Rows, cx: number, bw: number, sign: number): Point {
  let best = -1, bestY = Infinity;
  for (let k = Math.round(0.02 * bw); k <= Math.round(0.42 * bw); k++) {
    const x = cx + sign * k;
    if (x < 0 || x >= g.w) break;
    const y = firstInColumn(g, x);
    if (y >= 0 && y < bestY - 1) { bestY = y; best = x; }
  }
  return best < 0 ? P(cx + sign * 0.1 * bw, g.top) : P(best, bestY);
}

/** The hem: the lowest row where the body (the run through the centre) is still wide; ties, strings and sleeves hanging lower do not count. */
function hemOf(g: Rows, cx: number, bw: number, neckY: number): { hemY: number; hemRun: [number, number] } {
  let hemY = g.bottom;
  for (let y = g.bottom; y > neckY; y--) {
    const r = runAt(g, y, cx);
    if (r && r[0] <= cx && r[1] >= cx && r[1] - r[0] >= 0.2 * bw) { hemY = y; break; }
  }
  hemY = Math.max(neckY + 1, hemY - Math.max(1, Math.round(0.008 * g.h)));
  return { hemY, hemRun: runAt(g, hemY, cx) ?? [g.left, g.right] };
}

/** Centre front: the dip of the neckline, or the strongest edge under a filled-in dip. */
function centreFront(f: TopFrame, L: Float32Array | null, neckW: number): Point {
  const { g, cx, neckY, hemY } = f;
  const w = g.w;
  const dipTop = firstInColumn(g, cx);
  let cfY = dipTop;
  if (dipTop - neckY < 0.25 * neckW && L) {
    // The collar band (rib, the inside of the back neck) lies between the silhouette's top
    // and the front neckline: take the lowest of the strong horizontal edges under the top.
    const y0 = Math.max(dipTop + 3, neckY + Math.round(0.1 * neckW));
    const y1 = Math.min(hemY - 1, neckY + Math.round(0.7 * neckW));
    const gs: number[] = [];
    for (let y = y0; y <= y1; y++) {
      let gsum = 0;
      for (let dx = -2; dx <= 2; dx++) gsum += Math.abs(L[(y + 1) * w + cx + dx] - L[(y - 1) * w + cx + dx]);
      gs.push(gsum);
    }
    const bestG = Math.max(0, ...gs);
    cfY = Math.round(neckY + 0.35 * neckW);
    if (bestG >= 5 * 4) for (let i = gs.length - 1; i >= 0; i--) if (gs[i] >= 0.6 * bestG) { cfY = y0 + i; break; }
  }
  return P(cx, Math.max(cfY, neckY));
}

/**
 * The garment's outline seen from below: where each column's first run from the top ends (so
 * a gap between sleeve and body that closes again lower down still shows); -1 for an empty column.
 */
function columnBottoms({ g, hemY, k }: TopFrame): Int32Array {
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
    colBottom[x] = Math.min(y, hemY + k);
  }
  return colBottom;
}

/**
 * The armpit as the deepest notch in the outline between the sleeve and the body: the
 * point of the side's outline (seen from below, and from the side) farthest inside its
 * convex hull. That is the corner under a short sleeve and the top of the gap beside a
 * hanging long sleeve. Null when there is no real notch (sleeveless, sleeves against the
 * body).
 */
function armpitNotch(f: TopFrame, colBottom: Int32Array, sign: number): Point | null {
  const { g, cx, bw, neckY, hemY, span, dress } = f;
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
  const hull = convexHull(pts);
  const depths = pts.map((p) => {
    if (p.y <= neckY || p.y >= hemY - 2) return 0;
    let d = Infinity;
    for (let i = 0; i < hull.length; i++) {
      const a1 = hull[i], b1 = hull[(i + 1) % hull.length];
      const len = Math.hypot(b1.x - a1.x, b1.y - a1.y);
      if (len === 0) continue;
      d = Math.min(d, Math.abs((b1.x - a1.x) * (p.y - a1.y) - (b1.y - a1.y) * (p.x - a1.x)) / len);
    }
    return d;
  });
  const depth = Math.max(0, ...depths);
  // The notch under a flat-laid tee is flat-bottomed (the body side runs parallel to the
  // hull): its top corner, the highest deep point, is the armpit.
  let bi = -1;
  pts.forEach((p, i) => {
    if (depths[i] >= 0.75 * depth && (bi < 0 || p.y < pts[bi].y)) bi = i;
  });
  const best = bi < 0 ? null : pts[bi];
  if (!best || depth < Math.max(4, 0.05 * span)) return null;
  // An armpit sits in the upper body, not in the notch between a cuff and the hem.
  if (best.y > neckY + (dress ? 0.4 : 0.7) * span) return null;
  const apex = wedgeApex(g, best, 0.3 * span);
  return apex.y > neckY ? P(Math.round(apex.x), Math.round(apex.y)) : best;
}

/**
 * The armpit of one side: the notch under a sleeve (armpitNotch) when something stands out
 * beside and above it, else where the side edge, scanned upward from mid-body, turns sharply:
 * outward into a sleeve, or inward into an armhole; else placed by proportion (with a warning).
 */
function armpitSide(f: TopFrame, colBottom: Int32Array, sign: number, warnings: string[]): { armpit: Point; kind: 'sleeve' | 'armhole' | 'none' } {
  const { g, cx, bw, neckY, span, k, dress } = f;
  const { w, bin } = g;
  const startY = Math.round(neckY + (dress ? 0.3 : 0.6) * span);
  const found = armpitNotch(f, colBottom, sign);
  // A notch with nothing standing out beside and above it is an armhole curve (a sleeveless
  // dress narrowing to its waist), not the corner under a sleeve.
  let reach = 0;
  if (found) {
    for (let y = neckY; y <= found.y; y++) {
      const row = y * w;
      if (sign < 0) { for (let x = g.left; x < found.x; x++) if (bin[row + x]) { reach = Math.max(reach, found.x - x); break; } }
      else for (let x = g.right; x > found.x; x--) if (bin[row + x]) { reach = Math.max(reach, x - found.x); break; }
    }
  }
  if (found && reach > 0.08 * bw) return { armpit: found, kind: 'sleeve' as const };
  const out = new Float32Array(g.h).fill(NaN);
  for (let y = neckY; y <= Math.min(g.bottom, startY + k); y++) {
    const r = runAt(g, y, cx);
    if (r) out[y] = sign < 0 ? cx - r[0] : r[1] - cx;
  }
  const edge = (y: number): number => cx + sign * out[y];
  let armY = -1;
  let kind: 'sleeve' | 'armhole' | 'none' = 'none';
  for (let y = startY; y >= neckY + k; y--) {
    const D = out[y - k] - out[y];
    if (!(Math.abs(D) > 1.0 * k)) continue;
    // Walk up from y to the first row that turns.
    let r = y;
    while (r > y - k && Math.abs(out[r - 1] - out[r]) <= 1) r--;
    armY = r;
    kind = D > 0 ? 'sleeve' : 'armhole';
    break;
  }
  // A turn right under the neckline is the shoulder line of sleeves lying against the body.
  if (armY >= 0 && armY < neckY + 0.1 * span) armY = -1;
  if (armY < 0) {
    kind = 'none';
    armY = Math.round(neckY + (dress ? 0.15 : 0.3) * span);
    warnings.push(`no clear ${sign < 0 ? 'right' : 'left'} armpit: placed by proportion`);
  }
  const armpit = P(Number.isNaN(out[armY]) ? cx + sign * 0.3 * bw : edge(armY), armY);
  return { armpit, kind };
}

/**
 * A sleeve's shoulder point and cuff corners, and its underarm length (0: no sleeve). Sleeve
 * pixels are those outside the body line through the armpit, connected to the rows just above
 * it (a flared hem outside the line is another component).
 */
function sleeveOf(f: TopFrame, sign: number, armpit: Point, kind: string): { shoulder: Point; cuffIn: Point; cuffOut: Point; len: number } {
  const { g, cx, bw, neckY, hemY, hemRun, span, k } = f;
  const { w, bin } = g;
  const margin = Math.max(2, Math.round(0.01 * bw));
  // The body side: vertical above the armpit, then straight to the hem corner (a flared
  // body is not sleeve).
  const hx = sign < 0 ? hemRun[0] : hemRun[1];
  const bodyX = (y: number): number => (y <= armpit.y || hemY <= armpit.y ? armpit.x : armpit.x + ((hx - armpit.x) * (y - armpit.y)) / (hemY - armpit.y));
  const cand = (x: number, y: number): boolean => x >= 0 && x < w && y >= g.top && y <= g.bottom && bin[y * w + x] === 1 && sign * (x - bodyX(y)) > margin;
  const seen = new Uint8Array(w * g.h);
  const stack: number[] = [];
  for (let y = Math.max(g.top, armpit.y - 3 * k); y <= armpit.y; y++) {
    for (let x = 0; x < w; x++) if (cand(x, y) && !seen[y * w + x]) { seen[y * w + x] = 1; stack.push(y * w + x); }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  while (stack.length) {
    const p = stack.pop() as number;
    const x = p % w, y = (p - x) / w;
    xs.push(x);
    ys.push(y);
    // Left, right, up, down (this order: the cuff search below keeps the first best).
    if (cand(x - 1, y) && !seen[p - 1]) { seen[p - 1] = 1; stack.push(p - 1); }
    if (cand(x + 1, y) && !seen[p + 1]) { seen[p + 1] = 1; stack.push(p + 1); }
    if (cand(x, y - 1) && !seen[p - w]) { seen[p - w] = 1; stack.push(p - w); }
    if (cand(x, y + 1) && !seen[p + w]) { seen[p + w] = 1; stack.push(p + w); }
  }
  const n = xs.length;
  // A sleeve stands well out of the body line; a bulging side seam does not.
  let reach = 0;
  for (let i = 0; i < n; i++) reach = Math.max(reach, sign * (xs[i] - bodyX(ys[i])));
  const sleeved = kind === 'sleeve' && n > 0.01 * bw * span && reach > 0.08 * bw;
  let shoulder: Point;
  if (sleeved) {
    const x = Math.round(armpit.x);
    shoulder = P(x, Math.max(0, firstInColumn(g, x)));
  } else {
    // Outermost point of the top band (strap tops of a cami, the shoulder of a tank).
    let best = P(armpit.x, Math.max(0, firstInColumn(g, Math.round(armpit.x)))), bestOut = -Infinity;
    const yMax = Math.min(armpit.y - Math.max(2, Math.round(0.05 * span)), neckY + Math.round(0.15 * span));
    for (let y = g.top; y <= yMax; y++) {
      for (let x = g.left; x <= g.right; x++) {
        if (!bin[y * w + x]) continue;
        const o = sign * (x - cx) - 0.5 * (y - g.top);
        if (o > bestOut) { bestOut = o; best = P(x, y); }
      }
    }
    shoulder = best;
  }
  if (!sleeved) return { shoulder, cuffIn: armpit, cuffOut: shoulder, len: 0 };
  const M = P((shoulder.x + armpit.x) / 2, (shoulder.y + armpit.y) / 2);
  // The sleeve's far end: outward and downward from the arm's root (a hanging sleeve ends
  // low, a short one out to the side; the shoulder slope is neither).
  let fi = 0, top = -Infinity;
  for (let i = 0; i < n; i++) {
    const score = sign * (xs[i] - armpit.x) + 0.6 * (ys[i] - M.y);
    if (score > top) { top = score; fi = i; }
  }
  const far = Math.max(1, Math.hypot(xs[fi] - M.x, ys[fi] - M.y));
  const ux = (xs[fi] - M.x) / far, uy = (ys[fi] - M.y) / far;
  // n: across the sleeve, pointing away from the armpit (to the sleeve's outer/upper edge).
  let nx = -uy, ny = ux;
  if (nx * (armpit.x - M.x) + ny * (armpit.y - M.y) > 0) { nx = -nx; ny = -ny; }
  // The cuff's corners: farthest along the sleeve, leaning to either edge.
  let bestIn = -Infinity, bestOut = -Infinity;
  let cuffIn = P(xs[fi], ys[fi]), cuffOut = P(xs[fi], ys[fi]);
  for (let i = 0; i < n; i++) {
    const ax = xs[i] - M.x, ay = ys[i] - M.y;
    const along = ax * ux + ay * uy, across = ax * nx + ay * ny;
    if (along + 0.5 * across > bestOut) { bestOut = along + 0.5 * across; cuffOut = P(xs[i], ys[i]); }
    if (along - 0.5 * across > bestIn) { bestIn = along - 0.5 * across; cuffIn = P(xs[i], ys[i]); }
  }
  // Underarm length: the shoulder point of a dropped or raglan sleeve is vague, the armpit is not.
  return { shoulder, cuffIn, cuffOut, len: Math.hypot(cuffIn.x - armpit.x, cuffIn.y - armpit.y) };
}

/** The hem corners (a dress's "top hem" is its waist: the narrowest row under the armpits, and its hemline the hem). */
function hemCorners(f: TopFrame, lm: FoundLandmarks, armpits: { right: Point; left: Point }): void {
  const { g, cx, hemY, hemRun } = f;
  if (!f.dress) {
    lm.top_hem_right = P(hemRun[0], hemY);
    lm.top_hem_left = P(hemRun[1], hemY);
    return;
  }
  const lowPit = Math.max(armpits.right.y, armpits.left.y);
  let bestY = lowPit + 1, bestW = Infinity;
  const y0 = Math.round(lowPit + Math.max(2, 0.05 * (hemY - lowPit)));
  const y1 = Math.round(lowPit + 0.45 * (hemY - lowPit));
  for (let y = y0; y <= y1; y++) {
    const r = runAt(g, y, cx);
    if (r && r[1] - r[0] < bestW) { bestW = r[1] - r[0]; bestY = y; }
  }
  const r = runAt(g, bestY, cx) ?? hemRun;
  lm.top_hem_right = P(r[0], bestY);
  lm.top_hem_left = P(r[1], bestY);
  lm.hemline_right = P(hemRun[0], hemY);
  lm.hemline_left = P(hemRun[1], hemY);
}

/** The neckline, shoulders, armpits, cuffs and hem of an upper garment or a dress's top. */
function upperLandmarks(g: Rows, L: Float32Array | null, dress: boolean): Upper {
  const warnings: string[] = [];
  const bw = g.right - g.left + 1;
  const cx = Math.round(g.cx);
  const lm: FoundLandmarks = {};
  const nr = necklineCorner(g, cx, bw, -1);
  const nl = necklineCorner(g, cx, bw, 1);
  lm.neckline_right = nr;
  lm.neckline_left = nl;
  const neckY = Math.min(nr.y, nl.y);
  const { hemY, hemRun } = hemOf(g, cx, bw, neckY);
  const f: TopFrame = { g, dress, cx, bw, neckY, hemY, hemRun, span: hemY - neckY, k: Math.max(2, Math.round(0.012 * g.h)) };
  lm.center_front = centreFront(f, L, Math.max(4, nl.x - nr.x));

  const colBottom = columnBottoms(f);
  const sr = armpitSide(f, colBottom, -1, warnings);
  const sl = armpitSide(f, colBottom, 1, warnings);
  lm.armpit_right = sr.armpit;
  lm.armpit_left = sl.armpit;
  const armpitY = Math.round((sr.armpit.y + sl.armpit.y) / 2);

  const right = sleeveOf(f, -1, sr.armpit, sr.kind);
  const left = sleeveOf(f, 1, sl.armpit, sl.kind);
  lm.shoulder_right = right.shoulder;
  lm.shoulder_left = left.shoulder;
  lm.cuff_right_in = right.cuffIn;
  lm.cuff_right_out = right.cuffOut;
  lm.cuff_left_in = left.cuffIn;
  lm.cuff_left_out = left.cuffOut;
  const len = Math.max(right.len, left.len);
  // Underarm length against chest width: a tee's is about a third, a long sleeve's about one.
  const chestW = Math.max(1, sl.armpit.x - sr.armpit.x);
  const sleeve: SleeveLength = len === 0 ? 'none' : len > 0.55 * chestW ? 'long' : 'short';
  hemCorners(f, lm, { right: sr.armpit, left: sl.armpit });
  // Cropped: neckline to hem short against the shoulder width (a tee is about twice as long).
  const shoulderW = Math.max(1, left.shoulder.x - right.shoulder.x);
  const cropped = !dress && hemY - neckY < 1.25 * shoulderW;
  return { lm, sleeve, cropped, warnings, armpitY };
}

/** Waistband, crotch and leg openings of trousers, jeans, shorts or a skirt. */
function lowerLandmarks(g: Rows): { lm: FoundLandmarks; warnings: string[] } {
  const { w, bin } = g;
  const warnings: string[] = [];
  const bw = g.right - g.left + 1;
  const cx = Math.round(g.cx);
  const lm: FoundLandmarks = {};
  const wy = g.top + Math.max(1, Math.round(0.01 * g.h));
  const wr = runAt(g, wy, cx) ?? [g.left, g.right];
  lm.waistband_right = P(wr[0], wy);
  lm.waistband_left = P(wr[1], wy);

  // Crotch: the highest end of a top run among central columns (top of the leg gap).
  let crotchY = Infinity;
  const xsAt: number[] = [];
  for (let x = Math.round(cx - 0.2 * bw); x <= Math.round(cx + 0.2 * bw); x++) {
    if (x < 0 || x >= w) continue;
    let y = firstInColumn(g, x);
    if (y < 0) continue;
    while (y <= g.bottom && bin[y * w + x]) y++;
    const end = y - 1;
    if (end >= g.bottom - Math.round(0.02 * g.h)) continue;
    if (end < crotchY - 1) { crotchY = end; xsAt.length = 0; }
    if (Math.abs(end - crotchY) <= 1) xsAt.push(x);
  }
  const legs = Number.isFinite(crotchY);
  let crotchX = legs ? xsAt[xsAt.length >> 1] : cx;
  if (legs) {
    const apex = wedgeApex(g, P(crotchX, crotchY + 1), 0.25 * (g.bottom - g.top));
    if (apex.y > wy) { crotchX = Math.round(apex.x); crotchY = Math.round(apex.y); }
  }
  lm.crotch = P(crotchX, legs ? crotchY : g.bottom);
  if (!legs) warnings.push('no gap between legs: treated as a skirt');

  // Leg openings: run ends near the bottom of each side.
  const leg = (sign: number) => {
    let bottom = -1;
    for (let y = g.bottom; y >= g.top && bottom < 0; y--) {
      for (let x = 0; x < w; x++) {
        if (bin[y * w + x] && sign * (x - crotchX) > 0) { bottom = y; break; }
      }
    }
    const y = Math.max(g.top, bottom - Math.max(1, Math.round(0.008 * g.h)));
    let lo = Infinity, hi = -Infinity;
    for (let x = 0; x < w; x++) {
      if (!bin[y * w + x] || sign * (x - crotchX) <= 0) continue;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    if (!legs) {
      // A skirt's hem: outer ends, and "inner" points a little either side of the centre.
      return sign < 0 ? { out: P(lo, y), inn: P(crotchX - 0.05 * bw, y) } : { out: P(hi, y), inn: P(crotchX + 0.05 * bw, y) };
    }
    return sign < 0 ? { out: P(lo, y), inn: P(hi, y) } : { out: P(hi, y), inn: P(lo, y) };
  };
  const r = leg(-1);
  const l = leg(1);
  lm.bottom_right_out = r.out;
  lm.bottom_right_in = r.inn;
  lm.bottom_left_out = l.out;
  lm.bottom_left_in = l.inn;
  return { lm, warnings };
}

/**
 * Landmarks of a category from a 0/1 work mask, scaled to full-resolution pixels (`scale`
 * full pixels per work pixel). `L` (work-resolution lightness) sharpens the centre front.
 */
export function maskLandmarks(
  bin: Uint8Array,
  w: number,
  h: number,
  scale: number,
  category: GarmentCategory,
  L: Float32Array | null,
): MaskGeometry {
  const g = rowsOf(bin, w, h);
  let lm: FoundLandmarks;
  let sleeve: SleeveLength = 'none';
  let cropped = false;
  let warnings: string[];
  if (category === 'lower') {
    ({ lm, warnings } = lowerLandmarks(g));
  } else {
    const u = upperLandmarks(g, L, category === 'dress');
    ({ lm, sleeve, cropped, warnings } = u);
  }
  const out: FoundLandmarks = {};
  for (const [name, p] of Object.entries(lm) as [GarmentLandmarkName, Point][]) {
    out[name] = { x: Math.round(((p.x + 0.5) * scale - 0.5) * 10) / 10, y: Math.round(((p.y + 0.5) * scale - 0.5) * 10) / 10 };
  }
  return { landmarks: out, sleeve, cropped, warnings };
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in image coordinates. */
function convexHull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}
