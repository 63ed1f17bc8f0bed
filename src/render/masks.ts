/**
 * A pair's masks for the composite: its crop of the person's role planes (roles.ts) with the new
 * garment's neckline applied, [h, w, MASK_CHANNELS] bytes (channels: MASK in
 * src/engines/contract.ts), and the mean luminance of the old garment in the crop (the shading's
 * reference). One pass over the crop.
 */
import { MASK, MASK_CHANNELS } from '../engines/contract.ts';
import type { Box, RawImage } from '../types.ts';
import { ROLE, type RolePlanes } from './roles.ts';

export interface CropMasks {
  /** [h, w, MASK_CHANNELS] interleaved, 0..255. */
  data: Uint8Array;
  /** Mean luminance 0..1 of the old garment in the crop (0.5 where there is none). */
  means: [number];
}

/**
 * The masks of a crop.
 * @param neckY the new garment's neckline row: the neck and specks below it are covered, above it they stay in front (Infinity: no neckline)
 * @param into a buffer to write into when it is big enough (a renderer reuses one)
 * @param origin the photo pixel at `photo`'s (0, 0), when `photo` is a crop
 */
export function cropMasks(planes: RolePlanes, photo: RawImage, box: Box, neckY: number, into?: Uint8Array, origin: { x: number; y: number } = { x: 0, y: 0 }): CropMasks {
  const n = box.width * box.height;
  const data = into && into.length >= n * MASK_CHANNELS ? into.subarray(0, n * MASK_CHANNELS) : new Uint8Array(n * MASK_CHANNELS);
  data.fill(0);
  const pb = planes.box;
  const ch = photo.channels;
  const gOff = ch > 1 ? 1 : 0;
  const bOff = ch > 2 ? 2 : 0;
  let sum = 0;
  let count = 0;
  // The crop's rows and columns that the planes cover.
  const x0 = Math.max(box.x, pb.x);
  const x1 = Math.min(box.x + box.width, pb.x + pb.width);
  const y0 = Math.max(box.y, pb.y);
  const y1 = Math.min(box.y + box.height, pb.y + pb.height);
  for (let py = y0; py < y1; py++) {
    const above = py < neckY;
    let o = ((py - box.y) * box.width + (x0 - box.x)) * MASK_CHANNELS;
    let k = (py - pb.y) * pb.width + (x0 - pb.x);
    let s = ((py - origin.y) * photo.width + (x0 - origin.x)) * ch;
    for (let px = x0; px < x1; px++, o += MASK_CHANNELS, k++, s += ch) {
      const b = planes.bits[k];
      data[o + MASK.armFront] = planes.arm[k];
      if (b === 0) continue;
      if (b & ROLE.front || (b & ROLE.aboveNeckline && above)) data[o + MASK.occluder] = 255;
      if (b & ROLE.old) {
        data[o + MASK.old] = 255;
        sum += 0.299 * photo.data[s] + 0.587 * photo.data[s + gOff] + 0.114 * photo.data[s + bOff];
        count++;
      }
    }
  }
  return { data, means: [count ? sum / count / 255 : 0.5] };
}
