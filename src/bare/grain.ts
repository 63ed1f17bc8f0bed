/**
 * Fine texture by example: the high-frequency detail of a real surface in the photo (the
 * person's own visible skin, or the backdrop) cut into small patches and laid again over a new
 * region, patch by patch at random with overlapping raised-cosine windows. The detail is
 * relative (luminance over its local mean, minus 1), so it carries grain and pores but not the
 * source's shading; the overlaps are blended variance-preserving (sum of w p over the root of
 * the sum of w^2, as in by-example noise), so the grain keeps its strength everywhere instead
 * of fading where patches meet.
 */

/** Patches of relative detail, P x P each, row-major. */
export interface GrainSource {
  size: number;
  patches: Float32Array[];
  /** Standard deviation of the detail over all patches. */
  amplitude: number;
}

/** A small, repeatable random generator (mulberry32): the same photo gives the same bare body. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Separable box mean over (2r+1)^2 windows, partial windows at the edges. The vertical pass
 * runs row by row with a running sum per column (the same additions in the same order as a
 * column walk, but reading memory in order: several times faster on a large plane).
 */
export function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    let n = 0;
    for (let x = -r; x < w; x++) {
      if (x + r < w) (s += src[row + x + r]), n++;
      if (x - r - 1 >= 0) (s -= src[row + x - r - 1]), n--;
      if (x >= 0) tmp[row + x] = s / n;
    }
  }
  const sums = new Float64Array(w);
  let n = 0;
  for (let y = -r; y < h; y++) {
    if (y + r < h) {
      const add = (y + r) * w;
      for (let x = 0; x < w; x++) sums[x] += tmp[add + x];
      n++;
    }
    if (y - r - 1 >= 0) {
      const sub = (y - r - 1) * w;
      for (let x = 0; x < w; x++) sums[x] -= tmp[sub + x];
      n--;
    }
    if (y >= 0) {
      const row = y * w;
      for (let x = 0; x < w; x++) out[row + x] = sums[x] / n;
    }
  }
  return out;
}

/** Relative detail of a luminance plane: over its local mean (two box passes, about a Gaussian of sigma 2), minus 1. */
export function relativeDetail(lum: Float32Array, w: number, h: number): Float32Array {
  const base = boxBlur(boxBlur(lum, w, h, 2), w, h, 2);
  const out = new Float32Array(w * h);
  // Clamped: a mole, a hair or an edge that slipped into the source is not grain.
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-0.12, Math.min(0.12, lum[i] / Math.max(base[i], 1) - 1));
  // And softened over 3x3: JPEG's 8-px block edges are sharp steps that, laid again as patches,
  // would read as a grid of bands; pores and grain are wider than one pixel.
  return boxBlur(out, w, h, 1);
}

/**
 * Cuts up to `max` patches of `size` from `detail` where `source` is set on every pixel of
 * the patch (a grid of candidates at half-patch steps, taken in random order); null when
 * fewer than 4 fit.
 */
export function grainSource(detail: Float32Array, source: Uint8Array, w: number, h: number, size: number, seed: number, max = 160): GrainSource | null {
  const candidates: number[] = [];
  const step = Math.max(2, size >> 1);
  for (let y = 0; y + size <= h; y += step) {
    for (let x = 0; x + size <= w; x += step) {
      let full = true;
      for (let yy = y; yy < y + size && full; yy += 2) for (let xx = x; xx < x + size && full; xx += 2) full = source[yy * w + xx] !== 0;
      if (full) candidates.push(y * w + x);
    }
  }
  if (candidates.length < 4) return null;
  const rnd = random(seed);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  const cut: { p: Float32Array; sd: number; peak: number }[] = [];
  for (const at of candidates.slice(0, 2 * max)) {
    const p = new Float32Array(size * size);
    let mean = 0;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) mean += p[y * size + x] = detail[at + y * w + x];
    mean /= size * size;
    let sq = 0;
    let peak = 0;
    for (let k = 0; k < p.length; k++) {
      p[k] -= mean;
      sq += p[k] * p[k];
      peak = Math.max(peak, Math.abs(p[k]));
    }
    cut.push({ p, sd: Math.sqrt(sq / p.length), peak });
  }
  // Grain is what most patches share: a patch much rougher than the median, or with a spike
  // (a mole, a strand of hair, a print the parsing took for skin), would repeat as a pattern.
  const median = [...cut].sort((a, b) => a.sd - b.sd)[cut.length >> 1].sd;
  const kept = cut.filter((c) => c.sd <= 1.6 * median && c.peak <= 4 * median).slice(0, max);
  if (kept.length < 4) return null;
  return { size, patches: kept.map((c) => c.p), amplitude: median };
}

/**
 * Detail over a w x h plane (only where `region` is set), laid from the source's patches at
 * half-patch steps, each flipped at random, blended variance-preserving.
 */
export function layGrain(src: GrainSource, w: number, h: number, region: Uint8Array, seed: number): Float32Array {
  const P = src.size;
  const step = P >> 1;
  const acc = new Float32Array(w * h);
  const wsq = new Float32Array(w * h);
  const win = Float32Array.from({ length: P }, (_, i) => Math.sin((Math.PI * (i + 0.5)) / P) ** 2);
  const rnd = random(seed);
  for (let y0 = -step; y0 < h; y0 += step) {
    for (let x0 = -step; x0 < w; x0 += step) {
      if (!touches(region, w, h, x0, y0, P)) continue;
      const p = src.patches[Math.floor(rnd() * src.patches.length)];
      const flip = Math.floor(rnd() * 4);
      for (let y = 0; y < P; y++) {
        const yy = y0 + y;
        if (yy < 0 || yy >= h) continue;
        for (let x = 0; x < P; x++) {
          const xx = x0 + x;
          if (xx < 0 || xx >= w) continue;
          const sx = flip & 1 ? P - 1 - x : x;
          const sy = flip & 2 ? P - 1 - y : y;
          const wt = win[x] * win[y];
          const k = yy * w + xx;
          acc[k] += wt * p[sy * P + sx];
          wsq[k] += wt * wt;
        }
      }
    }
  }
  for (let k = 0; k < acc.length; k++) acc[k] = wsq[k] > 1e-9 ? acc[k] / Math.sqrt(wsq[k]) : 0;
  return acc;
}

/** Whether any pixel of the P x P square at (x0, y0) is in the region (sampled every 2 px). */
function touches(region: Uint8Array, w: number, h: number, x0: number, y0: number, P: number): boolean {
  for (let y = Math.max(0, y0); y < Math.min(h, y0 + P); y += 2) {
    for (let x = Math.max(0, x0); x < Math.min(w, x0 + P); x += 2) if (region[y * w + x]) return true;
  }
  return false;
}

/** Fallback detail when no patch of real surface is to be had: smoothed white noise of the given strength. */
export function noiseGrain(w: number, h: number, amplitude: number, seed: number): Float32Array {
  const rnd = random(seed);
  const n = new Float32Array(w * h);
  for (let i = 0; i < n.length; i++) n[i] = rnd() + rnd() - 1;
  const s = boxBlur(n, w, h, 1);
  // A 3x3 mean of uniform noise (variance 1/6) has variance 1/54: rescale to the asked strength.
  const k = amplitude * Math.sqrt(54);
  for (let i = 0; i < s.length; i++) s[i] *= k;
  return s;
}

/** Side of the blocks the texture level is read in, and the share of a block the region must fill. */
const BLOCK = 12;
const BLOCK_FILL = 0.9;

/**
 * The texture level of a region: mean |4-neighbour Laplacian| of the luminance (smoothed 3x3
 * first, so it reads grain of 2-6 px, not per-pixel noise or JPEG ringing), taken per 12x12
 * block the region fills, then the median over blocks. Blocks exclude the region's edges (an
 * edge is not texture) and the median ignores a minority of misread pixels (a print read as
 * skin). Used to give synthesised skin the grain strength of the person's own, and by the
 * quality metrics to check it.
 */
export function textureLevel(lum: Float32Array, w: number, h: number, region: Uint8Array): { level: number; blocks: number } {
  const smooth = boxBlur(lum, w, h, 1);
  const levels: number[] = [];
  for (let by = 1; by + BLOCK < h; by += BLOCK) {
    for (let bx = 1; bx + BLOCK < w; bx += BLOCK) {
      let sum = 0;
      let n = 0;
      for (let y = by; y < by + BLOCK; y++) {
        for (let x = bx, i = y * w + bx; x < bx + BLOCK; x++, i++) {
          if (!region[i]) continue;
          sum += Math.abs(4 * smooth[i] - smooth[i - 1] - smooth[i + 1] - smooth[i - w] - smooth[i + w]);
          n++;
        }
      }
      if (n >= BLOCK_FILL * BLOCK * BLOCK) levels.push(sum / n);
    }
  }
  levels.sort((a, b) => a - b);
  return { level: levels.length ? levels[levels.length >> 1] : 0, blocks: levels.length };
}
