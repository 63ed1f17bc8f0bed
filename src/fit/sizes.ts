/**
 * Garment sizes as ease around the body. The README's "Fit and render" table is this table.
 * `width` scales every half-width the fit puts on the body (chest, waist, hips, hem, sleeve
 * and leg openings); `length` lengthens the hem (and a dress's hemline, trousers' legs);
 * `sleeve` lengthens the sleeves.
 */
import { SIZES, type Size } from '../types.ts';
import { oneOf } from '../validate.ts';

export interface SizeEase {
  /** Relative change of widths: -0.04 = 4 % narrower than M. */
  width: number;
  /** Relative change of the garment's length below the shoulders. */
  length: number;
  /** Relative change of sleeve length. */
  sleeve: number;
}

export const SIZE_EASE: Record<Size, SizeEase> = {
  S: { width: -0.04, length: -0.03, sleeve: -0.04 },
  M: { width: 0, length: 0, sleeve: 0 },
  L: { width: 0.05, length: 0.03, sleeve: 0.05 },
  XL: { width: 0.1, length: 0.06, sleeve: 0.1 },
};

/** Validates a size option (default M). */
export function sizeEase(size: unknown = 'M', name = 'size'): SizeEase {
  return SIZE_EASE[oneOf(name, size, SIZES)];
}
