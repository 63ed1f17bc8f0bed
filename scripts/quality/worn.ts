/**
 * The numbers of a worn-garment transfer (a garment cut out of one person photo, put on
 * another): the quality harness's own (metrics.ts: spill, remnants, ...) and the garment's core
 * colour against the source's. The core is the garment's opaque pixels away from its edges
 * (eroded by 12 % of the square root of its area, which leaves the torso's middle and drops
 * the sleeves, the seams and the filled rims): the render shades the garment with the new
 * person's light, so the core's mean colour may move a little, but a wrong texture (skin or
 * backdrop cut out with the cloth, a fill of the wrong colour) moves it far.
 */
import type { GarmentAnalysis, Mask, RawImage, RGB } from '../../src/types.ts';
import { deltaE2000 } from '../../test/helpers/metrics.ts';
import { count, erodeBy } from './raster.ts';

/** Share of sqrt(area) the core is eroded by. */
const CORE_EROSION = 0.12;

/** Mean colour of an image's core under a mask (opaque >= 250, eroded); null when nothing is left. */
export function coreColour(img: RawImage, mask: Mask): RGB | null {
  const { width, height } = mask;
  const opaque = new Uint8Array(width * height);
  for (let i = 0; i < opaque.length; i++) opaque[i] = mask.data[i] >= 250 ? 1 : 0;
  const r = Math.max(1, Math.round(CORE_EROSION * Math.sqrt(count(opaque))));
  const core = erodeBy(opaque, width, height, r);
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < core.length; i++) {
    if (!core[i]) continue;
    for (let c = 0; c < 3; c++) sum[c] += img.data[i * img.channels + c];
    n++;
  }
  return n >= 20 ? (sum.map((v) => v / n) as RGB) : null;
}

/** CIEDE2000 between the worn garment's core (as cut out) and its core on the new person; null when either has none. */
export function coreDeltaE(garment: GarmentAnalysis, result: RawImage, garmentMask: Mask): number | null {
  const want = coreColour(garment.image, garment.mask);
  const got = coreColour(result, garmentMask);
  return want && got ? deltaE2000(want, got) : null;
}
