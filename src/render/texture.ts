/**
 * The garment as the warp graph samples it: [1, 7, h, w] float32, channels premultiplied
 * R, G, B, one alpha per part (main, left sleeve, right sleeve; the main part overlaps the
 * sleeves a little along the seams) and the garment's whole alpha.
 *
 * Two things make it look right on the body: the photo backdrop is unmixed from the soft
 * mask edge (no white fringe round a dark tee), and a garment much larger than its place on
 * the body is downscaled first with a proper filter (bilinear sampling alone would alias
 * stripes and prints into moire). Textures are kept per garment object and scale step, a few at a
 * a time, in a TextureCache that the renderer owns (src/render/state.ts).
 */
import sharp from 'sharp';
import type { GarmentAnalysis } from '../types.ts';
import type { FitPlan } from '../fit/targets.ts';
import { seamRows } from '../fit/warp.ts';
import { sleeveCloth } from '../fit/sleeve-map.ts';

export interface GarmentTexture {
  /** [7, height, width] planar. */
  data: Float32Array;
  width: number;
  height: number;
  /**
   * The part of the garment photo the texture covers, in photo pixels: the garment's bounding
   * box, not the whole photo (outside it every channel is 0, which sampling past the texture's
   * edge gives anyway), so a texture is about half the memory and build time.
   */
  window: { x: number; y: number; width: number; height: number };
}

/** Values per garment object and key, at most `limit` over all garments, the least recently used dropped first. */
class GarmentCache<T> {
  private byGarment = new Map<GarmentAnalysis, Map<string, T>>();
  private order: { g: GarmentAnalysis; key: string }[] = [];
  constructor(private readonly limit: number) {}

  get(g: GarmentAnalysis, key: string): T | undefined {
    const v = this.byGarment.get(g)?.get(key);
    if (v !== undefined) this.touch(g, key);
    return v;
  }

  set(g: GarmentAnalysis, key: string, v: T): void {
    let m = this.byGarment.get(g);
    if (!m) this.byGarment.set(g, (m = new Map()));
    m.set(key, v);
    this.touch(g, key);
  }

  /** Values held, over all garments. */
  get size(): number {
    return this.order.length;
  }

  /** Drops every value of a garment. */
  forget(g: GarmentAnalysis): void {
    if (!this.byGarment.delete(g)) return;
    this.order = this.order.filter((k) => k.g !== g);
  }

  private touch(g: GarmentAnalysis, key: string): void {
    const i = this.order.findIndex((k) => k.g === g && k.key === key);
    if (i >= 0) this.order.splice(i, 1);
    this.order.push({ g, key });
    while (this.order.length > this.limit) {
      const old = this.order.shift()!;
      const m = this.byGarment.get(old.g);
      m?.delete(old.key);
      if (m?.size === 0) this.byGarment.delete(old.g);
    }
  }
}

/**
 * The textures a renderer keeps (src/render/state.ts). A texture is 28 bytes a texel over the
 * garment's box (up to 22 MB for a 768x1024 photo at full scale) and pairs come garment by
 * garment, so a handful covers the garments in flight and their persons' seams; the bases
 * (colour and alpha before the seams split the parts) are shared by several textures.
 */
export class TextureCache {
  readonly textures: GarmentCache<GarmentTexture>;
  readonly bases: GarmentCache<TextureBase>;

  constructor(textures = 3, bases = 2) {
    this.textures = new GarmentCache(textures);
    this.bases = new GarmentCache(bases);
  }

  forget(g: GarmentAnalysis): void {
    this.textures.forget(g);
    this.bases.forget(g);
  }
}

/** Mean colour of the garment photo where the mask says backdrop (white when there is none). */
function backdrop(g: GarmentAnalysis): [number, number, number] {
  const { data, channels } = g.image;
  const m = g.mask.data;
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < m.length; i += 7) {
    if (m[i] !== 0) continue;
    for (let c = 0; c < 3; c++) sum[c] += data[i * channels + c];
    n++;
  }
  return n > 0 ? [sum[0] / n, sum[1] / n, sum[2] / n] : [255, 255, 255];
}

async function resized(g: GarmentAnalysis, width: number, height: number): Promise<{ rgb: Uint8Array; mask: Uint8Array }> {
  if (width === g.width && height === g.height) {
    const rgb = g.image.channels === 3 ? g.image.data : (() => {
      const out = new Uint8Array(g.width * g.height * 3);
      for (let i = 0, n = g.width * g.height; i < n; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = g.image.data[i * g.image.channels + c];
      return out;
    })();
    return { rgb, mask: new Uint8Array(g.mask.data) };
  }
  const img = sharp(Buffer.from(g.image.data.buffer, g.image.data.byteOffset, g.image.data.length), {
    raw: { width: g.width, height: g.height, channels: g.image.channels },
  });
  const rgb = await img.removeAlpha().resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  const mask = await sharp(Buffer.from(g.mask.data.buffer, g.mask.data.byteOffset, g.mask.data.length), {
    raw: { width: g.mask.width, height: g.mask.height, channels: 1 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .extractChannel(0) // sharp widens one-channel raw input to sRGB
    .raw()
    .toBuffer();
  return { rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), mask: new Uint8Array(mask.buffer, mask.byteOffset, mask.length) };
}

/**
 * Binary erosion of (mask > 127) by a (2r+1)^2 square (clamped at the borders), separable:
 * a pixel stays when its window holds no zero, counted with prefix sums, so the cost does not
 * grow with r.
 */
function erode(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const a = new Uint8Array(width * height);
  for (let i = 0; i < a.length; i++) a[i] = mask[i] > 127 ? 1 : 0;
  const b = new Uint8Array(width * height);
  const zeros = new Int32Array(Math.max(width, height) + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) zeros[x + 1] = zeros[x] + (a[row + x] ^ 1);
    for (let x = 0; x < width; x++) b[row + x] = zeros[Math.min(width, x + r + 1)] - zeros[Math.max(0, x - r)] === 0 ? 1 : 0;
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) zeros[y + 1] = zeros[y] + (b[y * width + x] ^ 1);
    for (let y = 0; y < height; y++) a[y * width + x] = zeros[Math.min(height, y + r + 1)] - zeros[Math.max(0, y - r)] === 0 ? 1 : 0;
  }
  return a;
}

/**
 * A garment mask that runs a few pixels into the backdrop draws a pale outline on the body:
 * within `r` px of the mask's edge, pixels the colour of the backdrop lose their alpha.
 */
function trimHalo(rgb: Uint8Array, mask: Uint8Array, width: number, height: number, bgc: number[], r: number): Uint8Array {
  const core = erode(mask, width, height, r);
  const out = new Uint8Array(mask);
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0 || core[i]) continue;
    const d = Math.hypot(rgb[i * 3] - bgc[0], rgb[i * 3 + 1] - bgc[1], rgb[i * 3 + 2] - bgc[2]);
    const keep = Math.min(Math.max((d - 14) / 26, 0), 1);
    out[i] = Math.round(out[i] * keep);
  }
  return out;
}

/**
 * What a texture holds that does not depend on the plan's seams: the colour (premultiplied,
 * backdrop unmixed) and alpha over the garment's bounding box, at one resolution. Persons of
 * different builds give one garment different seams, so several textures share one base.
 */
interface TextureBase {
  /** Texture resolution of the whole photo. */
  width: number;
  height: number;
  /** The bounding box of the texels with alpha, at that resolution. */
  x0: number;
  y0: number;
  cw: number;
  ch: number;
  /** [3, ch, cw] premultiplied colour, then [ch, cw] alpha. */
  colour: Float32Array;
  alpha: Float32Array;
}

async function textureBase(bases: GarmentCache<TextureBase>, g: GarmentAnalysis, width: number, height: number, factor: number): Promise<TextureBase> {
  const key = `${width}x${height}`;
  const hit = bases.get(g, key);
  if (hit) return hit;

  const { rgb, mask: soft } = await resized(g, width, height);
  const bgc = backdrop(g);
  // A garment the colour of its backdrop (a white tee on white) has no halo to tell apart:
  // trimming would fray its own edge.
  const distinct = Math.hypot(g.color[0] - bgc[0], g.color[1] - bgc[1], g.color[2] - bgc[2]) > 60;
  const mask = distinct ? trimHalo(rgb, soft, width, height, bgc, Math.max(2, Math.round(8 / factor))) : soft;
  // The texels with any alpha: the texture's window.
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) x0 = x1 = y0 = y1 = 0; // no garment at all: one empty texel
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const n = cw * ch;
  const colour = new Float32Array(3 * n);
  const alpha = new Float32Array(n);
  const [bg0, bg1, bg2] = bgc;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      const j = (y - y0) * cw + (x - x0);
      const a = mask[i] / 255;
      if (a <= 0) continue;
      // Unmix the backdrop from edge pixels: pixel = colour * a + backdrop * (1 - a).
      const unmix = a < 0.98;
      const inv = 1 / Math.max(a, 0.25);
      const r0 = rgb[i * 3];
      const r1 = rgb[i * 3 + 1];
      const r2 = rgb[i * 3 + 2];
      const v0 = unmix ? (r0 - bg0 * (1 - a)) * inv : r0;
      const v1 = unmix ? (r1 - bg1 * (1 - a)) * inv : r1;
      const v2 = unmix ? (r2 - bg2 * (1 - a)) * inv : r2;
      colour[j] = (Math.min(Math.max(v0, 0), 255) / 255) * a;
      colour[n + j] = (Math.min(Math.max(v1, 0), 255) / 255) * a;
      colour[2 * n + j] = (Math.min(Math.max(v2, 0), 255) / 255) * a;
      alpha[j] = a;
    }
  }
  const base = { width, height, x0, y0, cw, ch, colour, alpha };
  bases.set(g, key, base);
  return base;
}

/**
 * Builds (or reuses) the texture of a garment for a plan.
 * @param plan its seams split the parts; its scale (garment px per body px) picks the resolution.
 * @param cache where textures are kept between pairs (default: none kept)
 */
export async function garmentTexture(g: GarmentAnalysis, plan: FitPlan, cache = new TextureCache()): Promise<GarmentTexture> {
  const { textures } = cache;
  // Keep about 1.4 texels per output pixel: sharp enough, no aliasing. Scale steps of 2^0.5.
  const want = plan.scale / 1.4;
  const step = want > 1.2 ? Math.round(Math.log2(want) * 2) / 2 : 0;
  const factor = 2 ** step;
  const width = Math.max(8, Math.round(g.width / factor));
  const height = Math.max(8, Math.round(g.height / factor));
  // The sleeves' seam and cuff corners in the garment decide what cloth is sleeve (sleeveCloth).
  const corners = plan.sleeves.map((s) => s.pairs.filter((p) => !p.name.startsWith('elbow')).map((p) => [p.garment.x, p.garment.y]));
  const seams = JSON.stringify([plan.seams, plan.sleeveBottom, corners]);
  const key = `${width}x${height}:${seams}`;
  const hit = textures.get(g, key);
  if (hit) return hit;

  const { x0, y0, cw, ch, colour, alpha } = await textureBase(cache.bases, g, width, height, factor);
  const rows = seamRows(plan, g);
  const cloth: Record<number, (x: number, y: number) => boolean> = {};
  for (const s of plan.sleeves) cloth[s.side === 'left' ? 1 : 2] = sleeveCloth(s.pairs, s.side);
  // The main part reaches a little past the seams, under the sleeves: where the two warps
  // disagree slightly along the seam, the body shows no gap.
  const overlap = 0.04 * Math.abs((plan.seams.left?.[0].x ?? g.width) - (plan.seams.right?.[0].x ?? 0));
  const n = cw * ch;
  const data = new Float32Array(7 * n);
  data.set(colour, 0);
  data.set(alpha, 6 * n);
  const sx = g.width / width;
  const sy = g.height / height;
  for (let y = y0; y < y0 + ch; y++) {
    // Which part a texel belongs to depends on how far beyond each seam it lies (seamRows): the
    // seams' positions are found once per row.
    const seams = rows((y + 0.5) * sy);
    for (let x = x0; x < x0 + cw; x++) {
      const j = (y - y0) * cw + (x - x0);
      const a = alpha[j];
      if (a <= 0) continue;
      let part = 0;
      let d = -Infinity;
      const gx = (x + 0.5) * sx;
      for (let k = 0; k < seams.length; k++) {
        const e = (gx - seams[k].x0) * seams[k].sign;
        if (e > d) {
          d = e;
          part = seams[k].part;
        }
      }
      // Beyond a seam but off the sleeve's quad (a shoulder the analysis left outside the seam,
      // a ruffle): neither warp places it well, the sleeve's would carry it out beside the arm.
      if (d > 0 && (cloth[part]?.(gx, (y + 0.5) * sy) ?? true)) data[(3 + part) * n + j] = a;
      if (d <= overlap) data[3 * n + j] = a;
    }
  }
  const tex = { data, width: cw, height: ch, window: { x: x0 * sx, y: y0 * sy, width: cw * sx, height: ch * sy } };
  textures.set(g, key, tex);
  return tex;
}
