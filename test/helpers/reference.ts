/**
 * Pure-TypeScript versions of the warp graph's operators, written from the ONNX operator
 * definitions: the test checks the graph against them, and scripts/bench-render.ts times
 * them against the graph to decide which path the CPU should take.
 */

/** Resize (linear, coordinate_transformation_mode align_corners) of a [c, h, w] tensor. */
export function resizeAlignCorners(src: Float32Array, c: number, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(c * outH * outW);
  const sy = outH > 1 ? (h - 1) / (outH - 1) : 0;
  const sx = outW > 1 ? (w - 1) / (outW - 1) : 0;
  for (let y = 0; y < outH; y++) {
    const fy = y * sy;
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = x * sx;
      const x0 = Math.min(Math.floor(fx), w - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      for (let k = 0; k < c; k++) {
        const b = k * h * w;
        const top = src[b + y0 * w + x0] * (1 - wx) + src[b + y0 * w + x1] * wx;
        const bot = src[b + y1 * w + x0] * (1 - wx) + src[b + y1 * w + x1] * wx;
        out[k * outH * outW + y * outW + x] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return out;
}

/**
 * GridSample (bilinear, padding zeros, align_corners 0) of a [c, h, w] tensor at `count`
 * points given as interleaved normalised (x, y) pairs; returns [c, count].
 */
export function gridSample(src: Float32Array, c: number, h: number, w: number, grid: Float32Array, count: number): Float32Array {
  const out = new Float32Array(c * count);
  const at = (k: number, y: number, x: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : src[k * h * w + y * w + x]);
  for (let i = 0; i < count; i++) {
    // align_corners = 0: -1 and 1 are the outer edges of the outer pixels.
    const fx = ((grid[2 * i] + 1) * w - 1) / 2;
    const fy = ((grid[2 * i + 1] + 1) * h - 1) / 2;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const wx = fx - x0;
    const wy = fy - y0;
    if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) continue;
    for (let k = 0; k < c; k++) {
      const v =
        at(k, y0, x0) * (1 - wx) * (1 - wy) + at(k, y0, x0 + 1) * wx * (1 - wy) + at(k, y0 + 1, x0) * (1 - wx) * wy + at(k, y0 + 1, x0 + 1) * wx * wy;
      out[k * count + i] = v;
    }
  }
  return out;
}

/** The warp graph in TypeScript: same inputs (tex [7,th,tw], grid [9,gr,gc]), same [8, h, w] output. */
export function warpLayers(tex: Float32Array, th: number, tw: number, grid: Float32Array, gr: number, gc: number, h: number, w: number): Float32Array {
  const n = h * w;
  const full = resizeAlignCorners(grid, 9, gr, gc, h, w);
  const out = new Float32Array(8 * n);
  const xy = new Float32Array(2 * n);
  const parts: { p: Float32Array; a: Float32Array }[] = [];
  for (let m = 0; m < 3; m++) {
    for (let i = 0; i < n; i++) {
      xy[2 * i] = full[3 * m * n + i];
      xy[2 * i + 1] = full[(3 * m + 1) * n + i];
    }
    const s = gridSample(tex, 7, th, tw, xy, n);
    const p = new Float32Array(3 * n);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const allow = Math.min(Math.max(full[(3 * m + 2) * n + i], 0), 1);
      const part = s[(3 + m) * n + i] * allow;
      const total = Math.max(s[6 * n + i], 1e-4);
      const share = part / total;
      for (let c = 0; c < 3; c++) p[c * n + i] = s[c * n + i] * share;
      a[i] = part;
    }
    parts.push({ p, a });
  }
  const [main, left, right] = parts;
  for (let i = 0; i < n; i++) {
    const inv = 1 - left.a[i];
    for (let c = 0; c < 3; c++) {
      out[c * n + i] = main.p[c * n + i];
      out[(4 + c) * n + i] = left.p[c * n + i] + right.p[c * n + i] * inv;
    }
    out[3 * n + i] = main.a[i];
    out[7 * n + i] = left.a[i] + right.a[i] * inv;
  }
  return out;
}
