/**
 * Fills a model input tensor (NHWC float, RGB) from a photo through an affine map, with
 * bilinear sampling and, when the crop shrinks the photo, a 2x2 supersample per pixel so
 * fine stripes do not alias. Pixels outside the photo take the value `outside` (after scaling).
 */
import type { RawImage } from '../types.ts';
import type { Affine } from '../models/crop.ts';

/** out[i] = pixel * scale + bias; `out` has size * size * 3 floats. */
export function sampleCrop(image: RawImage, m: Affine, size: number, scale: number, bias: number, outside = 0, out = new Float32Array(size * size * 3)): Float32Array {
  const { data, width, height, channels } = image;
  const stretch = Math.hypot(m.a, m.d);
  const taps = stretch > 1.5 ? 2 : 1;
  const step = 1 / taps;
  const weight = scale / (taps * taps);
  const wMax = width - 1;
  const hMax = height - 1;
  let o = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let missed = 0;
      for (let ty = 0; ty < taps; ty++) {
        const vv = v + (ty + 0.5) * step;
        for (let tx = 0; tx < taps; tx++) {
          const uu = u + (tx + 0.5) * step;
          // Pixel centres sit at +0.5: sample at (x - 0.5, y - 0.5) in index space.
          const x = m.a * uu + m.b * vv + m.c - 0.5;
          const y = m.d * uu + m.e * vv + m.f - 0.5;
          if (x < -0.5 || y < -0.5 || x > wMax + 0.5 || y > hMax + 0.5) {
            missed++;
            continue;
          }
          const xc = x < 0 ? 0 : x > wMax ? wMax : x;
          const yc = y < 0 ? 0 : y > hMax ? hMax : y;
          const x0 = xc | 0;
          const y0 = yc | 0;
          const x1 = x0 < wMax ? x0 + 1 : x0;
          const y1 = y0 < hMax ? y0 + 1 : y0;
          const fx = xc - x0;
          const fy = yc - y0;
          const w00 = (1 - fx) * (1 - fy);
          const w10 = fx * (1 - fy);
          const w01 = (1 - fx) * fy;
          const w11 = fx * fy;
          const i00 = (y0 * width + x0) * channels;
          const i10 = (y0 * width + x1) * channels;
          const i01 = (y1 * width + x0) * channels;
          const i11 = (y1 * width + x1) * channels;
          r += data[i00] * w00 + data[i10] * w10 + data[i01] * w01 + data[i11] * w11;
          g += data[i00 + 1] * w00 + data[i10 + 1] * w10 + data[i01 + 1] * w01 + data[i11 + 1] * w11;
          b += data[i00 + 2] * w00 + data[i10 + 2] * w10 + data[i01 + 2] * w01 + data[i11 + 2] * w11;
        }
      }
      const fill = (missed * outside) / (taps * taps);
      out[o++] = r * weight + bias + fill;
      out[o++] = g * weight + bias + fill;
      out[o++] = b * weight + bias + fill;
    }
  }
  return out;
}

/**
 * The image at half size, each pixel the mean of a 2x2 block (odd last row/column repeated).
 * A crop that shrinks the photo 2x or more samples this level with one tap instead of the full
 * one with four: the same low-pass, a quarter of the reads.
 */
export function halveImage(image: RawImage): RawImage {
  const { data, width, height, channels } = image;
  const w = Math.max(1, width >> 1);
  const h = Math.max(1, height >> 1);
  const out = new Uint8Array(w * h * channels);
  const stride = width * channels;
  for (let y = 0, o = 0; y < h; y++) {
    const r0 = 2 * y * stride;
    const r1 = 2 * y + 1 < height ? r0 + stride : r0;
    for (let x = 0; x < w; x++) {
      const c0 = 2 * x * channels;
      const c1 = 2 * x + 1 < width ? c0 + channels : c0;
      for (let c = 0; c < channels; c++, o++) out[o] = (data[r0 + c0 + c] + data[r0 + c1 + c] + data[r1 + c0 + c] + data[r1 + c1 + c] + 2) >> 2;
    }
  }
  return { data: out, width: w, height: h, channels };
}
