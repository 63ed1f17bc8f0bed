/** Shared input helpers for the model wrappers: checking input tensors and normalising RGB bytes. */
import { TryonError } from '../errors.ts';
import { invalid } from '../validate.ts';

/** Asserts a Float32Array of exactly `length` values (an NHWC image of the model's size). */
export function checkInput(name: string, data: unknown, length: number, what: string): Float32Array {
  const expected = `Float32Array of ${length} values (${what})`;
  if (!(data instanceof Float32Array)) throw invalid(name, expected, data);
  if (data.length !== length) {
    // Same sentence shape as validate.ts; a typed array's value is not worth printing.
    throw new TryonError('BAD_OPTION', `Expected ${expected} for ${name} but received Float32Array of ${data.length} values`, { input: name });
  }
  return data;
}

/**
 * Interleaved 8-bit pixels (RGB or RGBA, `channels` per pixel) -> Float32 NHWC RGB in
 * [0,1] or [-1,1]. The pixels must already be at the model's input size.
 */
export function normaliseRgb(pixels: Uint8Array, channels: 3 | 4, range: '0,1' | '-1,1'): Float32Array {
  const count = pixels.length / channels;
  const out = new Float32Array(count * 3);
  const scale = range === '0,1' ? 1 / 255 : 2 / 255;
  const offset = range === '0,1' ? 0 : -1;
  for (let i = 0; i < count; i++) {
    out[i * 3] = pixels[i * channels] * scale + offset;
    out[i * 3 + 1] = pixels[i * channels + 1] * scale + offset;
    out[i * 3 + 2] = pixels[i * channels + 2] * scale + offset;
  }
  return out;
}
