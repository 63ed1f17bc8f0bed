/**
 * The garment mask of a product photo: alpha when the image has it, else the garment
 * separated from a plain backdrop (white, grey or coloured) estimated from the frame border.
 *
 * Works at about 512 px on the long side (a "work" image, box-downscaled by an integer
 * factor), then feathers and upsamples the result to full resolution:
 * 1. Backdrop model: median Lab of a border band and inliers within a robust tolerance; too
 *    few inliers means there is no plain backdrop (NO_GARMENT). The backdrop at each pixel is
 *    a Coons patch over robust border curves (light falls off across a studio frame).
 * 2. Barrier = pixels far from the backdrop in Lab OR on an edge (gradient of L). Edges let a
 *    white tee on white paper be found by its outline and fold shadows.
 * 3. Closing by flood: the backdrop is flooded from the border through non-barrier pixels
 *    after dilating the barrier by r (seals gaps up to 2r in a faint outline).
 * 4. Enclosed backdrop-like pockets are judged one by one: small ones (speckles of a white
 *    print) and huge ones (the inside of a white garment) are garment; flat, backdrop-coloured
 *    pockets of moderate size rimmed by strong edges (the garment's outline: between arm and
 *    body, between trouser legs) stay holes, while a flat patch of white fabric, which fades
 *    into the fabric round it, is filled.
 * 5. The largest component is the garment; smaller blobs (tags, stray threads) are dropped.
 */
import { TryonError } from '../errors.ts';
import type { Mask, RawImage } from '../types.ts';
import { imageToLab, LabMemo, rgbToLabInto } from './color.ts';
import { components, dilate, erode, floodFromBorder, largestComponent } from './morph.ts';

export interface WorkMask {
  /** 0/1 garment mask at work resolution. */
  bin: Uint8Array;
  w: number;
  h: number;
  /** Full-resolution pixels per work pixel. */
  scale: number;
}

export interface GarmentMaskResult {
  mask: Mask;
  work: WorkMask;
  /** Work-resolution Lab L plane (for landmark refinement). */
  L: Float32Array;
  usedAlpha: boolean;
  warnings: string[];
}

const WORK_SIDE = 512;

/** Box-downscales interleaved pixels by an integer factor. */
function downscale(img: RawImage, s: number): { data: Uint8Array; w: number; h: number } {
  const w = Math.floor(img.width / s);
  const h = Math.floor(img.height / s);
  const ch = img.channels;
  const out = new Uint8Array(w * h * ch);
  if (s === 1) {
    for (let y = 0; y < h; y++) out.set(img.data.subarray(y * img.width * ch, (y * img.width + w) * ch), y * w * ch);
    return { data: out, w, h };
  }
  if (s === 2) {
    // The usual case (768x1024 -> 384x512): four pixels a sample, no inner loops.
    const data = img.data;
    const rowIn = img.width * ch;
    for (let y = 0; y < h; y++) {
      const r0 = 2 * y * rowIn, r1 = r0 + rowIn, ro = y * w * ch;
      if (ch === 3) {
        for (let x = 0, i0 = r0, i1 = r1, o = ro; x < w; x++, i0 += 6, i1 += 6, o += 3) {
          out[o] = (data[i0] + data[i0 + 3] + data[i1] + data[i1 + 3] + 2) >> 2;
          out[o + 1] = (data[i0 + 1] + data[i0 + 4] + data[i1 + 1] + data[i1 + 4] + 2) >> 2;
          out[o + 2] = (data[i0 + 2] + data[i0 + 5] + data[i1 + 2] + data[i1 + 5] + 2) >> 2;
        }
        continue;
      }
      for (let x = 0; x < w; x++) {
        const i0 = r0 + 2 * x * ch, i1 = r1 + 2 * x * ch;
        for (let c = 0; c < ch; c++) {
          out[ro + x * ch + c] = (data[i0 + c] + data[i0 + ch + c] + data[i1 + c] + data[i1 + ch + c] + 2) >> 2;
        }
      }
    }
    return { data: out, w, h };
  }
  const acc = new Float32Array(w * ch);
  const n = s * s;
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < s; dy++) {
      const row = (y * s + dy) * img.width * ch;
      for (let x = 0; x < w; x++) {
        let o = row + x * s * ch;
        for (let dx = 0; dx < s; dx++) {
          for (let c = 0; c < ch; c++) acc[x * ch + c] += img.data[o + c];
          o += ch;
        }
      }
    }
    for (let i = 0; i < w * ch; i++) out[y * w * ch + i] = Math.round(acc[i] / n);
  }
  return { data: out, w, h };
}

/** A 3x3 box blur of interleaved pixels (edges clamped), at the same size. */
function boxBlur3(img: RawImage): { data: Uint8Array; w: number; h: number } {
  const { width: w, height: h, channels: ch, data } = img;
  const out = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++) {
    const ys = [Math.max(0, y - 1), y, Math.min(h - 1, y + 1)];
    for (let x = 0; x < w; x++) {
      const xs = [Math.max(0, x - 1), x, Math.min(w - 1, x + 1)];
      for (let c = 0; c < ch; c++) {
        let sum = 0;
        for (const yy of ys) for (const xx of xs) sum += data[(yy * w + xx) * ch + c];
        out[(y * w + x) * ch + c] = Math.round(sum / 9);
      }
    }
  }
  return { data: out, w, h };
}

// `new Float32Array(array)` copies an array directly; `Float32Array.from` walks an iterator (slow).
function median(values: Float32Array | number[]): number {
  const s = new Float32Array(values).sort();
  return s.length ? s[s.length >> 1] : 0;
}

function quantile(values: Float32Array | number[], q: number): number {
  const s = new Float32Array(values).sort();
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
}

/** Mean over a (2r+1)^2 box, via an integral image. */
function boxMean(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const I = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x];
      I[(y + 1) * (w + 1) + x + 1] = I[y * (w + 1) + x + 1] + row;
    }
  }
  const out = new Float32Array(w * h);
  // Window columns per x, tabled once instead of clamped per pixel.
  const xa = new Int32Array(w);
  const xb = new Int32Array(w);
  for (let x = 0; x < w; x++) {
    xa[x] = Math.max(0, x - r);
    xb[x] = Math.min(w, x + r + 1);
  }
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(h, y + r + 1);
    const top = y0 * (w + 1), bottom = y1 * (w + 1), rows = y1 - y0;
    for (let x = 0; x < w; x++) {
      const x0 = xa[x], x1 = xb[x];
      const sum = I[bottom + x1] - I[top + x1] - I[bottom + x0] + I[top + x0];
      out[y * w + x] = sum / (rows * (x1 - x0));
    }
  }
  return out;
}

/** Feathers a 0/1 work mask and upsamples it bilinearly to full resolution as 0..255. */
function upsampleSoft(bin: Uint8Array, w: number, h: number, W: number, H: number, s: number): Uint8Array {
  // 3x3 box blur (edges clamped) gives a one-work-pixel soft edge (about s full pixels);
  // separable integer sums, then one division: the same values as summing the 9 directly.
  const rowSum = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) rowSum[row + x] = bin[row + (x > 0 ? x - 1 : 0)] + bin[row + x] + bin[row + (x < w - 1 ? x + 1 : w - 1)];
  }
  const soft = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : 0) * w;
    const row = y * w;
    const down = (y < h - 1 ? y + 1 : h - 1) * w;
    for (let x = 0; x < w; x++) soft[row + x] = (rowSum[up + x] + rowSum[row + x] + rowSum[down + x]) / 9;
  }
  const out = new Uint8ClampedArray(W * H);
  // Full-resolution columns grouped by their left work column: within a group the four
  // corner values are the same, so wholly outside / inside stretches are decided once.
  const fxs = new Float32Array(W);
  const first = new Int32Array(w + 1).fill(W);
  for (let X = W - 1; X >= 0; X--) {
    const fx = Math.min(w - 1, Math.max(0, (X + 0.5) / s - 0.5));
    const x0 = Math.floor(fx);
    fxs[X] = fx - x0;
    first[x0] = X;
  }
  for (let c = w - 1; c >= 0; c--) if (first[c] > first[c + 1]) first[c] = first[c + 1];
  // Per work row: each cell's state against the next row down, 0 = the four corners all
  // outside, 1 = all inside, 2 = mixed; rows of the photo then fill or skip whole runs.
  const state = new Uint8Array(w);
  let stateRow = -1;
  for (let Y = 0; Y < H; Y++) {
    const fy = Math.min(h - 1, Math.max(0, (Y + 0.5) / s - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    const r0 = y0 * w, r1 = y1 * w;
    if (y0 !== stateRow) {
      stateRow = y0;
      for (let c = 0; c < w; c++) {
        const c1 = c < w - 1 ? c + 1 : c;
        const a = soft[r0 + c], b = soft[r0 + c1], cc = soft[r1 + c], d = soft[r1 + c1];
        state[c] = a + b + cc + d === 0 ? 0 : a === 1 && b === 1 && cc === 1 && d === 1 ? 1 : 2;
      }
    }
    const row = Y * W;
    let fillFrom = -1;
    for (let c = 0; c < w; c++) {
      const xs = first[c], xe = first[c + 1];
      if (xs >= xe) continue;
      const st = state[c];
      if (st === 1) {
        if (fillFrom < 0) fillFrom = xs;
        continue;
      }
      if (fillFrom >= 0) {
        out.fill(255, row + fillFrom, row + xs);
        fillFrom = -1;
      }
      if (st === 0) continue;
      const c1 = c < w - 1 ? c + 1 : c;
      const a = soft[r0 + c], b = soft[r0 + c1], cc = soft[r1 + c], d = soft[r1 + c1];
      for (let X = xs; X < xe; X++) {
        const tx = fxs[X];
        const v = (a * (1 - tx) + b * tx) * (1 - ty) + (cc * (1 - tx) + d * tx) * ty;
        // A slight contrast stretch keeps the edge soft (about s px) but the inside solid.
        out[row + X] = (v - 0.5) * 408 + 128;
      }
    }
    if (fillFrom >= 0) out.fill(255, row + fillFrom, row + W);
  }
  return new Uint8Array(out.buffer);
}

/**
 * A hanger's hook, a thread or a string reaching in from the frame's edge to the garment: the
 * parts of the mask that an opening by 3 work pixels removes (at most about 6 work pixels
 * wide: a line's edges and the closing widen it) and that touch the frame. Cleared in place;
 * straps and ties inside the frame stay.
 */
function dropThinFromFrame(bin: Uint8Array, w: number, h: number): void {
  const opened = dilate(erode(bin, w, h, 3), w, h, 3);
  const thin = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) thin[i] = bin[i] && !opened[i] ? 1 : 0;
  const { labels, areas } = components(thin, w, h);
  const touches = new Uint8Array(areas.length);
  for (let x = 0; x < w; x++) { touches[labels[x]] = 1; touches[labels[(h - 1) * w + x]] = 1; }
  for (let y = 0; y < h; y++) { touches[labels[y * w]] = 1; touches[labels[y * w + w - 1]] = 1; }
  for (let i = 0; i < w * h; i++) if (labels[i] && touches[labels[i]]) bin[i] = 0;
}

/** Warnings about the frame: a garment cut off by it, and a mask touching three or four sides (unsure). */
function edgeWarnings(bin: Uint8Array, w: number, h: number): string[] {
  const sides: Record<string, number> = { top: 0, bottom: 0, left: 0, right: 0 };
  for (let x = 0; x < w; x++) { sides.top += bin[x]; sides.bottom += bin[(h - 1) * w + x]; }
  for (let y = 0; y < h; y++) { sides.left += bin[y * w]; sides.right += bin[y * w + w - 1]; }
  const touched = Object.entries(sides).filter(([side, n]) => n > 0.01 * (side === 'top' || side === 'bottom' ? w : h)).map(([s]) => s);
  const out: string[] = [];
  if (touched.length) out.push(`garment touches the ${touched.join(', ')} edge of the frame: it may be cut off, and landmarks there are guesses`);
  if (touched.length >= 3) out.push(`the mask is unsure: it touches the frame on ${touched.length} sides (a garment larger than the frame, or a backdrop that is not plain all round)`);
  return out;
}

/**
 * A garment of a colour unlike its backdrop whose outline runs, for much of its length, through
 * backdrop-coloured pixels just inside it: the outline likely follows a print the backdrop's
 * colour (white flowers or stripes on white) rather than the garment's edge.
 */
function printEdgeWarning(bin: Uint8Array, w: number, h: number, { dist, T }: Cues): string[] {
  const ring = erode(bin, w, h, 2);
  const deeper = erode(bin, w, h, 3);
  let n = 0, pale = 0;
  const inner: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (ring[i] && !deeper[i]) {
      n++;
      if (dist[i] < T) pale++;
    } else if (deeper[i] && i % 7 === 0) inner.push(dist[i]);
  }
  // A white garment on white is backdrop-coloured through and through: its outline was found by its edges.
  if (n === 0 || quantile(inner, 0.5) < 8 * T || pale < 0.35 * n) return [];
  return [`the mask is unsure: ${Math.round((100 * pale) / n)} % of its outline runs through backdrop-coloured parts of the garment (a print the backdrop's colour?), where it may follow the print's edge`];
}

/**
 * The garment's own colour near each work pixel: the mean Lab of the mask's interior (well in
 * from the outline, clear of shadows and fringes) within about `r` work pixels; NaN where none
 * is near. It changes slowly, so it is summed over blocks of 4 work pixels and spread over
 * neighbouring blocks, then read per pixel from its block.
 */
function interiorColour({ L, A, B }: Lab, bin: Uint8Array, w: number, h: number, depth: number, r: number): (j: number) => [number, number, number] | null {
  const core = erode(bin, w, h, depth);
  const Q = 4;
  const bw = Math.ceil(w / Q), bh = Math.ceil(h / Q);
  const sums = new Float32Array(bw * bh * 4);
  for (let y = 0; y < h; y++) {
    const row = ((y / Q) | 0) * bw;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!core[i]) continue;
      const o = (row + ((x / Q) | 0)) * 4;
      sums[o]++;
      sums[o + 1] += L[i];
      sums[o + 2] += A[i];
      sums[o + 3] += B[i];
    }
  }
  const k = Math.max(1, Math.round(r / Q));
  const near = new Float32Array(bw * bh * 4);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const o = (by * bw + bx) * 4;
      for (let yy = Math.max(0, by - k); yy <= Math.min(bh - 1, by + k); yy++) {
        for (let xx = Math.max(0, bx - k); xx <= Math.min(bw - 1, bx + k); xx++) {
          const q = (yy * bw + xx) * 4;
          near[o] += sums[q];
          near[o + 1] += sums[q + 1];
          near[o + 2] += sums[q + 2];
          near[o + 3] += sums[q + 3];
        }
      }
    }
  }
  const least = 0.05 * (Q * (2 * k + 1)) ** 2;
  return (j) => {
    const x = j % w, y = (j - x) / w;
    const o = (((y / Q) | 0) * bw + ((x / Q) | 0)) * 4;
    const n = near[o];
    return n < least ? null : [near[o + 1] / n, near[o + 2] / n, near[o + 3] / n];
  };
}

/**
 * How much of the garment's colour (fL, fA, fB) a Lab pixel holds over the backdrop's
 * (bL, bA, bB): its projection on the line between them, 0 backdrop to 1 garment, clamped;
 * -1 where garment and backdrop are too alike (white on white) or the garment's colour is unknown.
 */
function mixOf(lab: Float32Array, o: number, bL: number, bA: number, bB: number, fL: number, fA: number, fB: number): number {
  const vL = fL - bL, vA = fA - bA, vB = fB - bB;
  const len2 = vL * vL + vA * vA + vB * vB;
  if (!(len2 > 25 * 25)) return -1;
  const t = ((lab[o] - bL) * vL + (lab[o + 1] - bA) * vA + (lab[o + 2] - bB) * vB) / len2;
  return Math.min(1, Math.max(0, t));
}

/**
 * Full-resolution edge. The work mask is coarse and its closing, edge and texture cues reach a
 * few pixels past the garment (onto retouching glow, the colour fringe JPEG leaves round
 * saturated colours, and the soft shadow a garment casts on its backdrop). Near the outline,
 * the backdrop is flooded inward at full resolution through "faint" pixels (within Tlo of the
 * backdrop, counting at the backdrop's lightness only chroma beyond what a fringe reaches)
 * and shadow pixels, until it meets the garment's own edge; what it reaches leaves the mask.
 * Where the garment differs from its backdrop, a pixel is read as a mix of the two: `inner`
 * (the garment's colour nearby) and the backdrop. A pixel darker than the backdrop but nearer
 * it than the garment is shadow; at the new edge the mix is the pixel's alpha, so no rim of
 * backdrop or shadow colour is left for the render to paste.
 */
function refineEdge(mask: Uint8Array, img: RawImage, bin: Uint8Array, lab0: Lab, w: number, h: number, s: number, bg: Float32Array[], Tlo: number): void {
  const grown = dilate(bin, w, h, 1);
  // Deep enough to reach a garment edge under a shadow the work mask took in (about 10 px);
  // the faint rules only in the outer 3 work pixels (deeper, smooth white fabric looks faint).
  const core = erode(bin, w, h, Math.max(3, Math.ceil(12 / s)));
  const shallow = erode(bin, w, h, 3);
  const inner = interiorColour(lab0, bin, w, h, Math.max(4, Math.ceil(16 / s)), Math.max(6, Math.ceil(24 / s)));
  const W = img.width, H = img.height, ch = img.channels;
  const px = img.data;
  const [gL, gA, gB] = bg;
  // The band: full-resolution pixels of work pixels near the outline (not on the frame edge).
  let cells = 0;
  for (let j = 0; j < w * h; j++) if (grown[j] && !core[j]) cells++;
  const bandAll = new Int32Array(cells * s * s);
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = y * w + x;
      if (!grown[j] || core[j]) continue;
      for (let Y = y * s; Y < Math.min(H - 1, y * s + s); Y++) {
        if (Y === 0) continue;
        for (let X = x * s; X < Math.min(W - 1, x * s + s); X++) {
          if (X === 0) continue;
          bandAll[count++] = Y * W + X;
        }
      }
    }
  }
  const band = bandAll.subarray(0, count);
  // Lab of the band's pixels; the band's L also as a full-resolution plane for the neighbours.
  const lab = new Float32Array(count * 3);
  const inBand = new Uint8Array(W * H);
  const Lfull = new Float32Array(W * H);
  const memo = new LabMemo(14);
  for (let k = 0; k < count; k++) {
    const i = band[k];
    const o = i * ch;
    rgbToLabInto(px[o], px[o + 1], px[o + 2], lab, k * 3, memo);
    inBand[i] = 1;
    Lfull[i] = lab[k * 3];
  }
  // faint: backdrop-like (or shadow) pixels the flood may cross. mix: how much of the
  // garment's colour a pixel holds against the backdrop (-1 where that cannot be told).
  const faint = new Uint8Array(W * H);
  const mix = new Float32Array(count).fill(-1);
  const removed = new Uint8Array(W * H);
  const stack = new Int32Array(count);
  let top = 0;
  for (let k = 0; k < count; k++) {
    const i = band[k];
    const X = i % W, Y = (i - X) / W;
    const j = Math.min(h - 1, Math.floor(Y / s)) * w + Math.min(w - 1, Math.floor(X / s));
    const l = lab[k * 3];
    const dL = l - gL[j];
    const da = lab[k * 3 + 1] - gA[j], db = lab[k * 3 + 2] - gB[j];
    const dC = Math.sqrt(da * da + db * db);
    const g = Math.abs(dL) < 2 ? Math.max(0, dC - 3) : Math.sqrt(dL * dL + dC * dC);
    // Smooth at full resolution too: fabric (even plain white) has weave; glow and fringe do not.
    let rough = 0;
    if (inBand[i - 1]) rough += Math.abs(Lfull[i - 1] - l);
    if (inBand[i + 1]) rough += Math.abs(Lfull[i + 1] - l);
    if (inBand[i - W]) rough += Math.abs(Lfull[i - W] - l);
    if (inBand[i + W]) rough += Math.abs(Lfull[i + W] - l);
    const f = inner(j);
    const a = f ? mixOf(lab, k * 3, gL[j], gA[j], gB[j], f[0], f[1], f[2]) : -1;
    mix[k] = a;
    // A shadow: darker than the backdrop, nearer it than the garment, and greyer than a mix of
    // the two would be (the rim of sheer fabric, or a print's mixed edge, carries its colour).
    const shadow = f !== null && a >= 0 && a < 0.5 && dL < -3 && dC < 2 + 0.5 * a * Math.hypot(f[1] - gA[j], f[2] - gB[j]);
    // Faint, or a smooth retouching glow a little lighter than the backdrop, or a neutral
    // soft shadow line hugging the outline (the flood stops at the garment's own colour or texture).
    const outer = !shallow[j];
    if ((outer && (((g < Math.max(Tlo, 1) || (dL > 0 && dL < 8 && dC < 3)) && rough < 2) || (dL < 0 && dL > -10 && dC < 2.5 && rough < 5))) || shadow) {
      faint[i] = 1;
      if (mask[i] < 128) { removed[i] = 1; stack[top++] = i; }
    }
  }
  // Every pixel is pushed at most once (marked removed as it is pushed): the stack fits the band.
  while (top > 0) {
    const i = stack[--top];
    if (faint[i - 1] && !removed[i - 1]) { removed[i - 1] = 1; stack[top++] = i - 1; }
    if (faint[i + 1] && !removed[i + 1]) { removed[i + 1] = 1; stack[top++] = i + 1; }
    if (faint[i - W] && !removed[i - W]) { removed[i - W] = 1; stack[top++] = i - W; }
    if (faint[i + W] && !removed[i + W]) { removed[i + W] = 1; stack[top++] = i + W; }
  }
  // Anti-alias the new edge: the band's mask becomes the mean of its 3x3 neighbourhood after
  // removal (never above its own value); next to the backdrop, where the garment's share of
  // the pixel can be told, that share.
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const i = band[k];
    if (removed[i]) continue;
    let sum = 0;
    for (let dy = -W; dy <= W; dy += W) for (let dx = -1; dx <= 1; dx++) if (!removed[i + dy + dx]) sum += mask[i + dy + dx];
    let v = Math.min(mask[i], sum / 9 + 40);
    // Within 2 px of the backdrop a JPEG fringe or anti-aliasing mixes the two colours.
    if (mix[k] >= 0 && v > 0) {
      const X = i % W, Y = (i - X) / W;
      let outside = false;
      for (let yy = Math.max(0, Y - 2); yy <= Math.min(H - 1, Y + 2) && !outside; yy++) {
        for (let xx = Math.max(0, X - 2); xx <= Math.min(W - 1, X + 2); xx++) {
          const q = yy * W + xx;
          if (removed[q] || mask[q] < 128) { outside = true; break; }
        }
      }
      if (outside) v = Math.min(v, 255 * Math.min(1, mix[k] * 1.15));
    }
    out[k] = v;
  }
  for (let k = 0; k < count; k++) mask[band[k]] = out[k];
}

/** Mask from an alpha channel (PNG cut-outs). */
function maskFromAlpha(img: RawImage, name: string): GarmentMaskResult {
  const W = img.width, H = img.height;
  const s = Math.max(1, Math.ceil(Math.max(W, H) / WORK_SIDE));
  const alpha = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) alpha[i] = img.data[i * 4 + 3];
  const small = downscale({ data: alpha, width: W, height: H, channels: 1 }, s);
  const { w, h } = small;
  const raw = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) raw[i] = small.data[i] >= 128 ? 1 : 0;
  const { mask: bin, area, second } = largestComponent(raw, w, h);
  if (area < 0.01 * w * h) {
    throw new TryonError('NO_GARMENT', `${name}: the alpha channel is (almost) empty: no garment to use`, { input: name });
  }
  const warnings = edgeWarnings(bin, w, h);
  if (second > 0.15 * area) warnings.push(`the mask is unsure: several large separate pieces in the cut-out (the second is ${Math.round((100 * second) / area)} % of the largest): only the largest is used`);
  // Zero alpha outside the kept component (tags, a second piece).
  const out = new Uint8Array(W * H);
  for (let Y = 0; Y < H; Y++) {
    const y = Math.min(h - 1, Math.floor(Y / s));
    for (let X = 0; X < W; X++) {
      const x = Math.min(w - 1, Math.floor(X / s));
      const near = bin[y * w + x] || (x > 0 && bin[y * w + x - 1]) || (x < w - 1 && bin[y * w + x + 1]) || (y > 0 && bin[(y - 1) * w + x]) || (y < h - 1 && bin[(y + 1) * w + x]);
      out[Y * W + X] = near ? alpha[Y * W + X] : 0;
    }
  }
  const L = imageToLab(downscale(img, s).data, w * h, 4).L;
  return { mask: { data: out, width: W, height: H }, work: { bin, w, h, scale: s }, L, usedAlpha: true, warnings };
}

/**
 * A backdrop colour at every work pixel: border curves (robust medians of the border band,
 * garment-touching stretches bridged by interpolation) blended over the frame as a Coons
 * patch. Follows light fall-off and paper curving where one plane could not.
 */
function backdropPlanes(
  planes: Float32Array[],
  w: number,
  h: number,
  band: number,
  isInlier: (i: number) => boolean,
): Float32Array[] {
  const STEP = 8;
  // curve(side)(t) for t along the side, one channel; `at(t, d)` is the pixel index at
  // position t along the side and depth d into the band.
  const buf = new Float32Array((2 * STEP + 1) * band);
  const curve = (at: (t: number, d: number) => number, length: number, plane: Float32Array): Float32Array => {
    const n = Math.ceil(length / STEP) + 1;
    const knots = new Float32Array(n).fill(NaN);
    for (let k = 0; k < n; k++) {
      let count = 0, total = 0;
      for (let t = Math.max(0, k * STEP - STEP); t <= Math.min(length - 1, k * STEP + STEP); t++) {
        for (let d = 0; d < band; d++) {
          const i = at(t, d);
          total++;
          if (isInlier(i)) buf[count++] = plane[i];
        }
      }
      if (count > 0.3 * total) knots[k] = buf.subarray(0, count).sort()[count >> 1];
    }
    // Bridge gaps (garment touching this side) linearly; ends take the nearest knot.
    let last = -1;
    for (let k = 0; k < n; k++) {
      if (Number.isNaN(knots[k])) continue;
      if (last < 0) for (let j = 0; j < k; j++) knots[j] = knots[k];
      else for (let j = last + 1; j < k; j++) knots[j] = knots[last] + ((knots[k] - knots[last]) * (j - last)) / (k - last);
      last = k;
    }
    if (last < 0) knots.fill(median(Array.from(plane)));
    else for (let j = last + 1; j < n; j++) knots[j] = knots[last];
    const out = new Float32Array(length);
    for (let t = 0; t < length; t++) {
      const f = t / STEP;
      const k = Math.floor(f);
      out[t] = k + 1 < n ? knots[k] + (knots[k + 1] - knots[k]) * (f - k) : knots[k];
    }
    return out;
  };
  const rows = (y0: number) => (x: number, d: number) => (y0 + d) * w + x;
  const cols = (x0: number) => (y: number, d: number) => y * w + x0 + d;
  const us = new Float64Array(w);
  const nus = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    us[x] = x / (w - 1);
    nus[x] = 1 - us[x];
  }
  return planes.map((plane) => {
    const top = curve(rows(0), w, plane);
    const bot = curve(rows(h - band), w, plane);
    const lef = curve(cols(0), h, plane);
    const rig = curve(cols(w - band), h, plane);
    const c00 = (top[0] + lef[0]) / 2, c10 = (top[w - 1] + rig[0]) / 2;
    const c01 = (bot[0] + lef[h - 1]) / 2, c11 = (bot[w - 1] + rig[h - 1]) / 2;
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const v = y / (h - 1);
      const nv = 1 - v;
      const l = lef[y], ri = rig[y];
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const u = us[x], nu = nus[x];
        // The same operations in the same order as the textbook formula: the same bits.
        out[row + x] = nv * top[x] + v * bot[x] + nu * l + u * ri - (nu * nv * c00 + u * nv * c10 + nu * v * c01 + u * v * c11);
      }
    }
    return out;
  });
}

/** The working image's Lab planes. */
interface Lab {
  L: Float32Array;
  A: Float32Array;
  B: Float32Array;
}

/** The backdrop: its pixels in the frame's border band (inliers) and its colour as smooth Lab planes. */
interface Backdrop {
  band: number;
  inliers: number[];
  planes: Float32Array[];
}

/**
 * 1. The backdrop from a border band; NO_GARMENT when the border is not one even colour: its
 * inliers are the pixels near the border's median colour. A backdrop that shades or tints
 * across the frame (light fall-off, a gradient sweep) may spread too far for that: its
 * pixels are then measured against a smooth backdrop fitted to the border instead.
 */
function backdropOf({ L, A, B }: Lab, w: number, h: number, name: string): Backdrop {
  const band = Math.max(2, Math.round(Math.min(w, h) * 0.01));
  const idx: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x < band || x >= w - band || y < band || y >= h - band) idx.push(y * w + x);
    }
  }
  const bL = median(idx.map((i) => L[i]));
  const bA = median(idx.map((i) => A[i]));
  const bB = median(idx.map((i) => B[i]));
  const plain = (dev: number[]): { inliers: number[]; tol: number; ok: boolean } => {
    const tol = Math.max(6, 3 * 1.4826 * median(dev));
    const inliers = idx.filter((_, k) => dev[k] < tol);
    return { inliers, tol, ok: inliers.length >= 0.55 * idx.length && tol <= 14 };
  };
  let fit = plain(idx.map((i) => Math.hypot(L[i] - bL, A[i] - bA, B[i] - bB)));
  if (!fit.ok) {
    const near = new Uint8Array(w * h);
    for (const i of idx) if (Math.hypot(L[i] - bL, A[i] - bA, B[i] - bB) < 25) near[i] = 1;
    const [sL, sA, sB] = backdropPlanes([L, A, B], w, h, band, (i) => near[i] === 1);
    fit = plain(idx.map((i) => Math.hypot(L[i] - sL[i], A[i] - sA[i], B[i] - sB[i])));
  }
  if (!fit.ok) {
    const share = Math.round((100 * fit.inliers.length) / idx.length);
    throw new TryonError('NO_GARMENT', `${name}: no plain backdrop around the garment (${share < 55 ? `only ${share}% of the frame border is one even colour` : `the frame border's colour varies by ${fit.tol.toFixed(0)} Lab units`})`, {
      input: name,
      suggestion: 'Use a product photo of the garment laid out or on a form against a plain backdrop, or a PNG with transparency.',
    });
  }
  const inlierSet = new Uint8Array(w * h);
  for (const i of fit.inliers) inlierSet[i] = 1;
  return { band, inliers: fit.inliers, planes: backdropPlanes([L, A, B], w, h, band, (i) => inlierSet[i] === 1) };
}

/** What tells garment from backdrop: the distance to the backdrop, edges, and which pixels bar the backdrop's flood. */
interface Cues {
  dist: Float32Array;
  grad: Float32Array;
  barrier: Uint8Array;
  /** The backdrop's own variation (98th percentile of its distance). */
  noise: number;
  /** Clearly not backdrop; faintly off it; a clear edge. */
  T: number;
  Tlo: number;
  G: number;
}

/** 2. Distance to the backdrop, and edges: the barrier the flood from the border stops at. */
function barrierCues({ L, A, B }: Lab, { inliers, planes: [gL, gA, gB] }: Backdrop, w: number, h: number): Cues {
  const n = w * h;
  const dist = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const dl = L[i] - gL[i], da = A[i] - gA[i], db = B[i] - gB[i];
    dist[i] = Math.sqrt(dl * dl + da * da + db * db);
  }
  const noise = quantile(inliers.map((i) => dist[i]), 0.98);
  // T: clearly not backdrop. Tlo: faintly off it, which counts only where the pixels have
  // texture (a white tee on white paper has weave and folds; a pasted-in patch of slightly
  // different white, or a soft shadow, is smooth).
  const T = Math.max(2.5, 3 * noise);
  const Tlo = Math.max(0.6, 1.5 * noise);
  const grad = new Float32Array(n);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = L[i + 1] - L[i - 1];
      const gy = L[i + w] - L[i - w];
      grad[i] = 0.5 * Math.sqrt(gx * gx + gy * gy);
    }
  }
  const gNoise = quantile(inliers.map((i) => grad[i]), 0.98);
  const G = Math.max(2, 3 * gNoise);
  const tex = boxMean(grad, w, h, 2);
  const texT = 0.1 + 2 * gNoise;
  const barrier = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // An edge is a barrier whatever the colour; near the backdrop's colour nothing else counts.
    if (grad[i] > G) { barrier[i] = 1; continue; }
    if (!(dist[i] > T)) continue;
    const dL = L[i] - gL[i];
    // A soft shadow: a little darker than the backdrop, same hue, smooth. (Glow and the
    // colour fringe of JPEG round saturated garments are trimmed at full resolution.)
    let shadow = false;
    if (tex[i] < texT && dL < 0 && dL > -14) {
      const da = A[i] - gA[i], db = B[i] - gB[i];
      shadow = Math.sqrt(da * da + db * db) < 2 + noise;
    }
    barrier[i] = shadow ? 0 : 1;
  }
  // The faint-but-textured cue finds the outline of a white garment on white, far from any
  // strong content; next to strong edges it would only pick up JPEG ringing (and seal the
  // gap between two dark trouser legs).
  const nearStrong = dilate(barrier, w, h, 3);
  for (let i = 0; i < n; i++) if (!nearStrong[i] && dist[i] > Tlo && tex[i] > texT) barrier[i] = 1;
  return { dist, grad, barrier, noise, T, Tlo, G };
}

/**
 * 4. The backdrop: what the flood reached from the border (`outside`), plus the enclosed
 * pockets (open, not reached) that are holes through the garment rather than flat patches of
 * white fabric: backdrop-flat and rimmed by the garment's own outline (strong edges just past
 * the sealed border of width r).
 */
function backdropWithHoles(open: Uint8Array, outside: Uint8Array, cues: Cues, inliers: number[], w: number, h: number, r: number): Uint8Array {
  const { dist, grad, T, G } = cues;
  const n = w * h;
  const pocket = new Uint8Array(n);
  let inside = 0;
  for (let i = 0; i < n; i++) {
    if (!outside[i]) inside++;
    pocket[i] = open[i] && !outside[i] ? 1 : 0;
  }
  const { labels, areas } = components(pocket, w, h);
  const sumD = new Float64Array(areas.length);
  const sumG = new Float64Array(areas.length);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l) { sumD[l] += dist[i]; sumG[l] += grad[i]; }
  }
  const rimG = new Float64Array(areas.length);
  const rimN = new Float64Array(areas.length);
  const rimStep = (i: number, l: number, d: number): void => {
    if (labels[i + d] === l) return;
    const k = i + d * (r + 1);
    rimG[l] += Math.max(grad[k], grad[k + d]);
    rimN[l]++;
  };
  for (let y = r + 2; y < h - r - 2; y++) {
    for (let x = r + 2; x < w - r - 2; x++) {
      const i = y * w + x;
      const l = labels[i];
      if (!l) continue;
      // In this order (1, -1, w, -w): the sums are the same to the last bit.
      rimStep(i, l, 1);
      rimStep(i, l, -1);
      rimStep(i, l, w);
      rimStep(i, l, -w);
    }
  }
  const gMean = inliers.reduce((acc, i) => acc + grad[i], 0) / inliers.length;
  const hole = new Uint8Array(areas.length);
  for (let l = 1; l < areas.length; l++) {
    const a = areas[l];
    const md = sumD[l] / a, mg = sumG[l] / a;
    const speckle = a < Math.max(12, 0.0015 * inside);
    const interior = a > 0.3 * inside;
    const rim = rimN[l] ? rimG[l] / rimN[l] : 0;
    // Backdrop-flat; a narrow gap between two dark edges carries JPEG ringing, so a strongly
    // rimmed pocket may be a little further off.
    const flat = (md < Math.max(0.4, 0.2 * T) || (rim > 8 && md < Math.max(1.2, 0.4 * T))) && mg < 1.5 * gMean + 0.1;
    hole[l] = !speckle && !interior && flat && rim > Math.max(2, 0.5 * G) ? 1 : 0;
  }
  const background = new Uint8Array(n);
  for (let i = 0; i < n; i++) background[i] = outside[i] || (labels[i] && hole[labels[i]]) ? 1 : 0;
  return background;
}

/**
 * The closing also shuts gaps narrower than about 3r (a sleeve hanging close to the body, the
 * top of the gap between trouser legs). Reopens them in `raw`: a flood from the backdrop,
 * without the dilation, through pixels that are plainly backdrop (flat and within Tlo).
 */
function reopenGaps(raw: Uint8Array, background: Uint8Array, { barrier, dist, grad, Tlo, G }: Cues, w: number, h: number): void {
  const n = w * h;
  const reopened = new Uint8Array(n);
  const halfG = 0.5 * G;
  const plain = (i: number): boolean => raw[i] === 1 && !barrier[i] && dist[i] <= Tlo && grad[i] < halfG && !reopened[i];
  // Every pixel is pushed at most once (marked as it is pushed).
  const stack = new Int32Array(n);
  let top = 0;
  const visit = (i: number): void => {
    const x = i % w;
    if (x > 0 && plain(i - 1)) { reopened[i - 1] = 1; stack[top++] = i - 1; }
    if (x < w - 1 && plain(i + 1)) { reopened[i + 1] = 1; stack[top++] = i + 1; }
    if (i >= w && plain(i - w)) { reopened[i - w] = 1; stack[top++] = i - w; }
    if (i < n - w && plain(i + w)) { reopened[i + w] = 1; stack[top++] = i + w; }
  };
  for (let i = 0; i < n; i++) if (background[i]) visit(i);
  while (top > 0) visit(stack[--top]);
  for (let i = 0; i < n; i++) if (reopened[i]) raw[i] = 0;
}

/**
 * The garment mask of a decoded photo (RGB, or RGBA where `hasAlpha`). Throws NO_GARMENT when
 * there is no plain backdrop at the border or nothing stands out from it.
 */
export function garmentMask(img: RawImage, hasAlpha: boolean, name: string): GarmentMaskResult {
  if (hasAlpha && img.channels === 4) {
    let clear = 0;
    for (let i = 3; i < img.data.length; i += 4) if (img.data[i] < 250) clear++;
    if (clear > 0.005 * img.width * img.height) return maskFromAlpha(img, name);
  }
  const W = img.width, H = img.height;
  const s = Math.max(1, Math.ceil(Math.max(W, H) / WORK_SIDE));
  // A photo no larger than the work size is read through a 3x3 box: the box-downscale of a
  // larger one averages its JPEG noise away, and the cues' thresholds expect that.
  const small = s === 1 ? boxBlur3(img) : downscale(img, s);
  const { w, h } = small;
  const n = w * h;
  const lab = imageToLab(small.data, n, img.channels);
  const backdrop = backdropOf(lab, w, h, name);
  const cues = barrierCues(lab, backdrop, w, h);

  // 3. Closing by flood from the border.
  const r = Math.max(2, Math.round(w / 160));
  const sealed = dilate(cues.barrier, w, h, r);
  const open = new Uint8Array(n);
  for (let i = 0; i < n; i++) open[i] = sealed[i] ? 0 : 1;
  const outside = floodFromBorder(open, w, h);
  const background = backdropWithHoles(open, outside, cues, backdrop.inliers, w, h, r);
  const grown = dilate(background, w, h, r);
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) raw[i] = grown[i] ? 0 : 1;
  reopenGaps(raw, background, cues, w, h);

  // 5. The largest component, less a hanger's hook or a thread reaching in from the frame.
  dropThinFromFrame(raw, w, h);
  const { mask: bin, area, second } = largestComponent(raw, w, h);
  if (area < 0.01 * n) {
    throw new TryonError('NO_GARMENT', `${name}: no garment found: the image is (almost) all backdrop`, {
      input: name,
      suggestion: 'Check that the photo shows a garment that stands out from its backdrop.',
    });
  }
  if (area > 0.92 * n) {
    throw new TryonError('NO_GARMENT', `${name}: no garment outline found: it fills the whole frame`, {
      input: name,
      suggestion: 'Use a product photo with some plain backdrop around the garment.',
    });
  }
  const warnings = edgeWarnings(bin, w, h);
  if (second > 0.15 * area) warnings.push(`the mask is unsure: several large separate pieces (the second is ${Math.round((100 * second) / area)} % of the largest): only the largest is used`);
  warnings.push(...printEdgeWarning(bin, w, h, cues));
  const mask = upsampleSoft(bin, w, h, W, H, s);
  refineEdge(mask, img, bin, lab, w, h, s, backdrop.planes, cues.Tlo);
  // The landmarks' centre-front search wants the photo's own edges, not the blurred ones.
  const L = s === 1 ? imageToLab(img.data, n, img.channels).L : lab.L;
  return { mask: { data: mask, width: W, height: H }, work: { bin, w, h, scale: s }, L, usedAlpha: false, warnings };
}
