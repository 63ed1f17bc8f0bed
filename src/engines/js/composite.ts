/**
 * The composite graph (src/engines/onnx/graphs.ts, buildCompositeGraph) in plain TypeScript: the
 * same four outputs from the same inputs, within a rounding step of the graph.
 *
 *   const out = compositeCpu({ layers, photo, bare, masks, means, width, height, pool });
 *   out.image; // [h, w, 3] bytes; also out.alpha, out.exposed ([h, w]) and out.warped ([h, w, 3])
 *
 * How it is cheaper than the graph: the feathers and the shading's low-pass grid (fields.ts) are
 * integer running sums over only the non-zero rows of each mask, pooled in one pass and smoothed
 * while still small; the per-pixel maths is one fused pass here that up-samples the coarse grid a
 * row at a time and skips what a pixel does not need (no new garment: the bare body as it is;
 * the shading gain from a table instead of Math.pow; with imageOnly, the image alone).
 * Synchronous and allocation-free per pixel: safe in a worker thread.
 *
 * Parity (test/render-cpu.test.ts): every byte within 2 of the graph's, in practice within 1
 * on a handful of pixels (float64 here, float32 in onnxruntime, then rounding).
 */
import { TryonError } from '../../errors.ts';
import { integerIn } from '../../validate.ts';
import { MASK_CHANNELS, SHADE } from '../contract.ts';
import { compositeFields, type CompositeFields } from './fields.ts';
import { Scratch } from './scratch.ts';

export interface CompositeInput {
  /** The warp's layers, [8, h, w] float32 planar (warpCpu's or the warp graph's output). */
  layers: Float32Array;
  /** The photo crop, [h, w, 3] bytes (the old garment's luminance, for the shading). */
  photo: Uint8Array;
  /** The bare body's crop, [h, w, 3] bytes: the base the new garment goes over. */
  bare: Uint8Array;
  /** The per-pixel roles, [h, w, c] bytes with c >= MASK_CHANNELS (see MASK in contract.ts). */
  masks: Uint8Array;
  /** Mean luminance 0..1 of the old garment in the crop (means[0]). */
  means: ArrayLike<number>;
  width: number;
  height: number;
  /** The shading's low-pass cell in pixels (poolFor in tryon.ts: a power of two 4..32). */
  pool: number;
  /**
   * Only the image is wanted (a batch, the server: tryOn's `layers: false`): alpha, exposed
   * and warped are not computed and come back empty (length 0). Default false.
   */
  imageOnly?: boolean;
}

export interface CompositeOutput {
  /** [h, w, 3]. */
  image: Uint8Array;
  /** [h, w]: the new garment's coverage. */
  alpha: Uint8Array;
  /** [h, w]: old garment the new one leaves uncovered (the bare body shows there). */
  exposed: Uint8Array;
  /** [h, w, 3]: the new garment alone, premultiplied by its coverage. */
  warped: Uint8Array;
}

const EPS = 1e-4;
/** Coverage above which the old garment's exposure is below 1e-6: not worth computing. */
const OPAQUE = 1 - 1e-6;

function check(input: CompositeInput): number {
  const w = integerIn('width', input.width, 1, 1 << 15);
  const h = integerIn('height', input.height, 1, 1 << 15);
  integerIn('pool', input.pool, 1, 1024);
  const n = w * h;
  const bad = (what: string, name: string, len: number): TryonError =>
    new TryonError('BAD_INPUT', `composite: expected ${what} for ${name} (${w}x${h}) but received ${len} values`, { input: name });
  if (!(input.layers instanceof Float32Array) || input.layers.length < 8 * n) throw bad(`[8, h, w] float32`, 'layers', input.layers?.length ?? 0);
  if (!(input.photo instanceof Uint8Array) || input.photo.length < 3 * n) throw bad(`[h, w, 3] bytes`, 'photo', input.photo?.length ?? 0);
  if (!(input.bare instanceof Uint8Array) || input.bare.length < 3 * n) throw bad(`[h, w, 3] bytes`, 'bare', input.bare?.length ?? 0);
  const c = input.masks instanceof Uint8Array ? input.masks.length / n : 0;
  if (!Number.isInteger(c) || c < MASK_CHANNELS) throw bad(`[h, w, ${MASK_CHANNELS}] bytes`, 'masks', input.masks?.length ?? 0);
  if (!(input.means?.length >= 1)) throw new TryonError('BAD_INPUT', 'composite: expected a value for means', { input: 'means' });
  return c;
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * Clip(Pow(b, gamma), lo, hi) tabulated over the bases where the clip does not bind (Math.pow
 * per pixel was a quarter of the composite's time); linear interpolation in 2048 steps is
 * within 1e-8 of the power there.
 */
interface Gain {
  b0: number;
  b1: number;
  lo: number;
  hi: number;
  scale: number;
  table: Float64Array;
}

const GAIN_STEPS = 2048;
function gainTable(gamma: number, lo: number, hi: number): Gain {
  const b0 = lo ** (1 / gamma);
  const b1 = hi ** (1 / gamma);
  const table = new Float64Array(GAIN_STEPS + 2);
  for (let i = 0; i <= GAIN_STEPS + 1; i++) table[i] = Math.min(Math.max((b0 + ((b1 - b0) * i) / GAIN_STEPS) ** gamma, lo), hi);
  return { b0, b1, lo, hi, scale: GAIN_STEPS / (b1 - b0), table };
}

function gainAt(g: Gain, b: number): number {
  if (b <= g.b0) return g.lo;
  if (b >= g.b1) return g.hi;
  const f = (b - g.b0) * g.scale;
  const i = f | 0;
  return g.table[i] + (g.table[i + 1] - g.table[i]) * (f - i);
}

const GARMENT_GAIN = gainTable(SHADE.garmentGamma, SHADE.garmentLo, SHADE.garmentHi);

/** toBytes: Clip(x * 255 + 0.5, 0, 255), then Cast (truncation). */
function byte(v: number): number {
  const s = v * 255 + 0.5;
  return s > 0 ? (s < 255 ? s | 0 : 255) : 0;
}

/** A view of `into` of n values when it is big enough (cleared), else a new array. */
function bytes(into: Uint8Array | undefined, n: number): Uint8Array {
  if (!into || into.length < n) return new Uint8Array(n);
  const v = into.subarray(0, n);
  v.fill(0);
  return v;
}

/** What compositeRow reads and writes: the inputs, the fields and the outputs of one crop. */
interface Frame {
  input: CompositeInput;
  fields: CompositeFields;
  C: number;
  /** Whether the outputs besides the image are wanted. */
  all: boolean;
  image: Uint8Array;
  alphaOut: Uint8Array;
  exposedOut: Uint8Array;
  warped: Uint8Array;
}

/** The outputs, in `into`'s buffers when they are big enough; the image starts as the bare body. */
function outputs(input: CompositeInput, into: CompositeOutput | undefined, n: number, all: boolean): Pick<Frame, 'image' | 'alphaOut' | 'exposedOut' | 'warped'> {
  const image = into && into.image.length >= 3 * n ? into.image.subarray(0, 3 * n) : new Uint8Array(3 * n);
  image.set(input.bare.subarray(0, 3 * n));
  const none = new Uint8Array(0);
  return { image, alphaOut: all ? bytes(into?.alpha, n) : none, exposedOut: all ? bytes(into?.exposed, n) : none, warped: all ? bytes(into?.warped, 3 * n) : none };
}

/**
 * The columns [span[0], span[1]) of row y with a new or an old garment (empty: span[0] >=
 * span[1]); outside them the bare body stays as it is.
 */
function rowSpan(L3: Float32Array, L7: Float32Array, oldLo: Int32Array, oldHi: Int32Array, w: number, y: number, span: Int32Array): void {
  const r = y * w;
  let lo = 0;
  while (lo < w && L3[r + lo] === 0 && L7[r + lo] === 0) lo++;
  let hi = w;
  while (hi > lo && L3[r + hi - 1] === 0 && L7[r + hi - 1] === 0) hi--;
  if (oldLo[y] < oldHi[y]) {
    if (lo >= hi) {
      lo = oldLo[y];
      hi = oldHi[y];
    } else {
      if (oldLo[y] < lo) lo = oldLo[y];
      if (oldHi[y] > hi) hi = oldHi[y];
    }
  }
  span[0] = lo;
  span[1] = hi;
}

/**
 * The composite graph's outputs.
 * @param into optional buffers to write the outputs into (a worker can reuse them from pair to
 *   pair); one too small for this crop is replaced by a new array
 * @param scratch working buffers reused from call to call (an engine keeps one; default: fresh ones)
 * @throws TryonError('BAD_OPTION') for a bad width, height or pool; ('BAD_INPUT') when an array is too small
 */
export function compositeCpu(input: CompositeInput, into?: CompositeOutput, scratch = new Scratch()): CompositeOutput {
  const C = check(input);
  const { photo, masks, width: w, height: h, pool } = input;
  const fields = compositeFields(masks, C, photo, h, w, pool, scratch);
  const all = input.imageOnly !== true;
  const frame: Frame = { input, fields, C, all, ...outputs(input, into, w * h, all) };
  compositePixels(frame);
  return { image: frame.image, alpha: frame.alphaOut, exposed: frame.exposedOut, warped: frame.warped };
}

/** The pixels of every row's span (rowSpan), written into the frame's outputs. */
function compositePixels(frame: Frame): void {
  const { input, all, image, alphaOut, exposedOut, warped } = frame;
  const { layers: L, bare, width: w, height: h } = input;
  const { occ, arm, old, oldLo, oldHi, shade } = frame.fields;
  const n = w * h;
  const s255 = 1 / 255;
  // The field's taps, inlined in the loop (the shading is read at every garment pixel).
  const { buf: sBuf, cols: sCols } = shade;
  const { i0: sI0, i1: sI1, t: sT } = shade.ax;
  const k = SHADE.offset;
  const invMeanK = 1 / Math.max(input.means[0] + k, EPS);
  const L3 = L.subarray(3 * n, 4 * n);
  const L7 = L.subarray(7 * n, 8 * n);
  const span = new Int32Array(2);
  for (let y = 0; y < h; y++) {
    rowSpan(L3, L7, oldLo, oldHi, w, y, span);
    const lo = span[0];
    const hi = span[1];
    if (lo >= hi) continue;
    shade.row(y);
    for (let x = lo; x < hi; x++) {
      const i = y * w + x;
      const o = old[i];
      const sleeveA = L[7 * n + i];
      const mainA = L[3 * n + i];
      // No new garment: the bare body as it is (copied above).
      if (sleeveA === 0 && mainA === 0) {
        if (all && o !== 0) exposedOut[i] = byte(o);
        continue;
      }
      const keep = 1 - occ[i];
      // Arms are in front of the main part, under the sleeves.
      const behind = (1 - arm[i]) * (1 - sleeveA);
      const alpha = (sleeveA + mainA * behind) * keep;
      if (all) exposedOut[i] = byte(o * (1 - alpha));
      if (alpha === 0) continue;
      const a0 = sI0[x];
      const a1 = sI1[x];
      const at = sT[x];
      const local = sBuf[a0] + (sBuf[a1] - sBuf[a0]) * at;
      const low = sBuf[sCols + a0] + (sBuf[sCols + a1] - sBuf[sCols + a0]) * at;
      const fade = clip((low - 0.3) * 2, 0, 1);
      const ratio = 1 + ((local + k) * invMeanK - 1) * fade;
      const base = ratio > EPS ? ratio : EPS;
      // Premultiplied colour over alpha: the garment's own colour.
      const inva = keep / (alpha > EPS ? alpha : EPS);
      const cr = (L[4 * n + i] + L[i] * behind) * inva;
      const cg = (L[5 * n + i] + L[n + i] * behind) * inva;
      const cb = (L[6 * n + i] + L[2 * n + i] * behind) * inva;
      const ga = gainAt(GARMENT_GAIN, base) * alpha;
      const inv = 1 - alpha;
      image[3 * i] = byte(bare[3 * i] * s255 * inv + cr * ga);
      image[3 * i + 1] = byte(bare[3 * i + 1] * s255 * inv + cg * ga);
      image[3 * i + 2] = byte(bare[3 * i + 2] * s255 * inv + cb * ga);
      if (all) {
        warped[3 * i] = byte(cr * alpha);
        warped[3 * i + 1] = byte(cg * alpha);
        warped[3 * i + 2] = byte(cb * alpha);
        alphaOut[i] = byte(alpha);
      }
    }
  }
}
