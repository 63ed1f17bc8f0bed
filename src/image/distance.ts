/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012): two passes of a 1-D
 * lower envelope of parabolas, linear in the pixels. Used for the body's inflation normals
 * (src/bare/) and by the quality metrics.
 */

/** Stands for "no target on this line" in the 1-D transform: finite, so the maths stays exact. */
const FAR = 1e20;

/** 1-D squared distance transform of `f` (Felzenszwalb & Huttenlocher 2012), into `d`. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  const meet = (q: number, p: number): number => (f[q] + q * q - (f[p] + p * p)) / (2 * q - 2 * p);
  for (let q = 1; q < n; q++) {
    let s = meet(q, v[k]);
    while (s <= z[k]) {
      k--;
      s = meet(q, v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/**
 * Euclidean distance in pixels from every pixel to the nearest pixel where `target` is non-zero
 * (0 on the target itself, Infinity everywhere when the target is empty).
 */
export function distanceTo(target: Uint8Array, width: number, height: number): Float32Array {
  const n = Math.max(width, height);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const tmp = new Float64Array(width * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = target[y * width + x] ? 0 : FAR;
    edt1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) tmp[y * width + x] = d[y];
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) f[x] = tmp[y * width + x];
    edt1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[y * width + x] = d[x] >= FAR / 2 ? Infinity : Math.sqrt(d[x]);
  }
  return out;
}

