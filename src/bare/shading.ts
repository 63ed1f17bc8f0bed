/**
 * Shading from shape: the light that explains the person's visible skin, fitted by least
 * squares to its luminance against the body shape's normals there (Y = a + b . n), then used
 * to shade synthesised skin by the normals of the body under the clothes. Limbs and the torso
 * round off towards their edges, lit from where the photo's light comes from.
 */
import type { Normals } from './inflate.ts';

export interface Light {
  /** Luminance = a + bx nx + by ny + bz nz. */
  a: number;
  b: [number, number, number];
  /** The fit's mean luminance over its samples (shade 1 there). */
  mean: number;
  /** Samples the fit used (0: the default light). */
  samples: number;
}

/** A soft frontal light, for persons showing too little skin to fit one. */
export function defaultLight(mean: number): Light {
  return { a: 0.62 * mean, b: [0, -0.04 * mean, 0.4 * mean], mean, samples: 0 };
}

/** Solves the 4x4 normal equations (Gaussian elimination with partial pivoting); null when singular. */
function solve4(m: number[][], v: number[]): number[] | null {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-9) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k < 5; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[4] / row[i]);
}

/**
 * Fits the light to the luminance `lum` (0..255) at the pixels where `sample` is set and the
 * body has a normal, trimming outliers (a shadow, a highlight) twice; the default light
 * when there are fewer than `minSamples` or the fit is implausible (shading darker than half
 * or brighter than 1.3 times the mean anywhere on the visible hemisphere).
 */
export function fitLight(normals: Normals, lum: Float32Array, sample: Uint8Array, minSamples = 400): Light {
  const raster = normals;
  const idx: number[] = [];
  // Every third pixel: thousands of samples are plenty for four numbers.
  for (let k = 0; k < sample.length; k += 3) if (sample[k] && (raster.nx[k] || raster.ny[k] || raster.nz[k])) idx.push(k);
  let mean = 0;
  for (const k of idx) mean += lum[k];
  mean = idx.length ? mean / idx.length : 128;
  if (idx.length < minSamples) return defaultLight(mean);
  let keep = idx;
  let coef: number[] | null = null;
  for (let round = 0; round < 3; round++) {
    // The normal equations of [1, nx, ny, nz] . coef = lum, summed in scalars.
    const m = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    const v = [0, 0, 0, 0];
    let s0 = 0, sx = 0, sy = 0, sz = 0, sxx = 0, sxy = 0, sxz = 0, syy = 0, syz = 0, szz = 0;
    let l0 = 0, lx = 0, ly = 0, lz = 0;
    for (const k of keep) {
      const x = raster.nx[k];
      const y = raster.ny[k];
      const z = raster.nz[k];
      const l = lum[k];
      s0++;
      sx += x;
      sy += y;
      sz += z;
      sxx += x * x;
      sxy += x * y;
      sxz += x * z;
      syy += y * y;
      syz += y * z;
      szz += z * z;
      l0 += l;
      lx += x * l;
      ly += y * l;
      lz += z * l;
    }
    m[0] = [s0, sx, sy, sz];
    m[1] = [sx, sxx, sxy, sxz];
    m[2] = [sy, sxy, syy, syz];
    m[3] = [sz, sxz, syz, szz];
    v[0] = l0;
    v[1] = lx;
    v[2] = ly;
    v[3] = lz;
    coef = solve4(m, v);
    if (!coef) return defaultLight(mean);
    const res = keep.map((k) => lum[k] - (coef![0] + coef![1] * raster.nx[k] + coef![2] * raster.ny[k] + coef![3] * raster.nz[k]));
    const sd = Math.sqrt(res.reduce((s, r) => s + r * r, 0) / res.length) || 1;
    keep = keep.filter((_, i) => Math.abs(res[i]) < 2.5 * sd);
  }
  // Roundness is a prior, not only a fit: studio light is often flat or from the side, and a
  // linear fit then finds no fall-off towards a limb's edges, which painted skin needs to read
  // as round. At least 0.3 of the mean on nz, with the constant moved so the mean is kept.
  const n = keep.length;
  const meanN = [0, 0, 0];
  for (const k of keep) (meanN[0] += raster.nx[k] / n), (meanN[1] += raster.ny[k] / n), (meanN[2] += raster.nz[k] / n);
  const b: [number, number, number] = [coef![1], coef![2], Math.max(coef![3], 0.3 * mean)];
  const light: Light = { a: mean - b[0] * meanN[0] - b[1] * meanN[1] - b[2] * meanN[2], b, mean, samples: n };
  // Plausible: over normals facing the camera (nz >= 0.3) the shade stays within 0.55..1.25;
  // a stronger side light is scaled back to that.
  for (let round = 0; round < 8; round++) {
    const shades = [[0, 0, 1], [0.95, 0, 0.3], [-0.95, 0, 0.3], [0, 0.95, 0.3], [0, -0.95, 0.3]].map(([x, y, z]) => shadeAt(light, x, y, z));
    if (Math.min(...shades) >= 0.55 && Math.max(...shades) <= 1.25) return light;
    light.b[0] *= 0.75;
    light.b[1] *= 0.75;
    light.a = mean - light.b[0] * meanN[0] - light.b[1] * meanN[1] - light.b[2] * meanN[2];
  }
  return defaultLight(mean);
}

/** Relative shade (1 = the visible skin's mean) for a normal. */
export function shadeAt(light: Light, nx: number, ny: number, nz: number): number {
  return (light.a + light.b[0] * nx + light.b[1] * ny + light.b[2] * nz) / Math.max(light.mean, 1);
}
