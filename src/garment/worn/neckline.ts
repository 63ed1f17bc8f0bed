/**
 * The neckline of a worn garment, for the fit's armpit search.
 */
import type { Box, FoundLandmarks } from '../../types.ts';

/**
 * The fit finds a product photo's armpits by scanning the mask's rows out from the column
 * between the shoulders (src/fit/landmarks.ts refineArmpits), where a product photo shows the
 * inside of the garment's back through its neckline. A worn garment's neckline opens onto the
 * skin instead, and where its bottom edge crosses that column the rows there run only a few
 * pixels from it, which reads as the body's side. So the column is made transparent (alpha
 * under half) from the garment's top down to the first row whose run through it reaches out
 * 40 % of the shoulders' width on both sides: a notch one pixel wide at the neckline's edge, a few pixels long.
 */
export function notchNeckline(alpha: Uint8Array, box: Box, lm: FoundLandmarks): void {
  const { shoulder_left: sl, shoulder_right: sr } = lm;
  if (!sl || !sr) return;
  const w = box.width;
  const xc = Math.round((sl.x + sr.x) / 2) - box.x;
  if (xc < 0 || xc >= w) return;
  const half = 0.4 * Math.abs(sl.x - sr.x);
  let y = 0;
  while (y < box.height && alpha[y * w + xc] < 128) y++;
  for (const end = Math.min(box.height, y + Math.round(2 * half)); y < end; y++) {
    const [l, r] = runThrough(alpha, w, y, xc);
    if (xc - l >= half && r - xc >= half) break;
    alpha[y * w + xc] = Math.min(alpha[y * w + xc], 120);
  }
}

/** The run of alpha >= 128 through (x, y), gaps of up to 3 px bridged (as the fit's maskSpan). */
function runThrough(alpha: Uint8Array, w: number, y: number, x: number): [number, number] {
  const edge = (dir: number): number => {
    let last = x;
    let gap = 0;
    for (let xx = x; xx >= 0 && xx < w; xx += dir) {
      if (alpha[y * w + xx] >= 128) {
        last = xx;
        gap = 0;
      } else if (++gap > 3) break;
    }
    return last;
  };
  return [edge(-1), edge(1)];
}
