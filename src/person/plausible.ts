/**
 * A check of one landmark pass against its own segmentation: how wide the shoulders and hips
 * are compared with the person's silhouette at that height. On a frontal or three-quarter
 * figure the shoulder joints span ~0.55-0.85 of the silhouette just below them and the hip
 * joints ~0.3-0.6 of it at hip height (measured on the 28 fixture photos). A pass that has
 * collapsed the body onto its axis (seen on a black dress on white with the head cut by the
 * frame: shoulders 52 px apart on a 170 px wide torso) falls far below, while its silhouette
 * is still right, so the silhouette says which of two passes to trust.
 */

/** Below these the pass's body is narrower than its own silhouette allows. */
export const MIN_SHOULDER_SPAN = 0.45;
export const MIN_HIP_SPAN = 0.2;

/** Width (pixels) of the silhouette run through (u, v) in a size x size probability map; 0 if outside. */
function runWidth(seg: Float32Array, size: number, u: number, v: number): number {
  const row = Math.round(v);
  let col = Math.round(u);
  if (row < 0 || row >= size || col < 0 || col >= size) return 0;
  const o = row * size;
  // The mid-point may sit on a gap (between legs, a dark fold): step to the nearest inside pixel.
  if (seg[o + col] < 0.5) {
    let found = -1;
    for (let d = 1; d <= 3 && found < 0; d++) {
      if (col - d >= 0 && seg[o + col - d] >= 0.5) found = col - d;
      else if (col + d < size && seg[o + col + d] >= 0.5) found = col + d;
    }
    if (found < 0) return 0;
    col = found;
  }
  let l = col;
  let r = col;
  while (l > 0 && seg[o + l - 1] >= 0.5) l--;
  while (r < size - 1 && seg[o + r + 1] >= 0.5) r++;
  return r - l + 1;
}

/**
 * How well the pass's widths fit its silhouette: min(shoulder ratio / MIN_SHOULDER_SPAN,
 * hip ratio / MIN_HIP_SPAN), either alone when the other run is missing; below 1 the pass is implausible. `raw` is the 39 x 5 landmark
 * output in crop pixels, `seg` the crop's segmentation. Rows are crop rows, i.e. across the
 * body axis the crop was turned to. NaN when the silhouette is missing at both heights.
 */
export function widthFit(raw: Float32Array, seg: Float32Array, size: number): number {
  const at = (k: number): [number, number] => [raw[k * 5], raw[k * 5 + 1]];
  const [lsx, lsy] = at(11);
  const [rsx, rsy] = at(12);
  const [lhx, lhy] = at(23);
  const [rhx, rhy] = at(24);
  const smx = (lsx + rsx) / 2;
  const smy = (lsy + rsy) / 2;
  const hmx = (lhx + rhx) / 2;
  const hmy = (lhy + rhy) / 2;
  const torso = Math.hypot(smx - hmx, smy - hmy);
  // A little below the shoulder line: at it, the silhouette's top edge is ragged (straps, neck).
  const shoulderRun = runWidth(seg, size, smx + 0.1 * (hmx - smx), smy + 0.1 * (hmy - smy));
  const hipRun = runWidth(seg, size, hmx, hmy);
  if (!(torso > 0)) return Number.NaN;
  // Hips out of the crop (an upper-body shot): judge by the shoulders alone.
  const shoulders = shoulderRun > 0 ? Math.hypot(lsx - rsx, lsy - rsy) / shoulderRun / MIN_SHOULDER_SPAN : Infinity;
  const hips = hipRun > 0 ? Math.hypot(lhx - rhx, lhy - rhy) / hipRun / MIN_HIP_SPAN : Infinity;
  const fit = Math.min(shoulders, hips);
  return Number.isFinite(fit) ? fit : Number.NaN;
}

/**
 * Head-to-body proportions of the final keypoints, as multiples of the ear-to-ear distance:
 * the nose sits 1.2-2.7 ear widths above the shoulder line and the shoulders span 2.0-3.7
 * ear widths on the 28 fixture photos (front and three-quarter views), and roughly so on any
 * adult. BlazePose needs the body down to the hips; on a head-and-shoulders close-up it
 * shrinks an imagined body under the chin (measured: 0.44 and 1.17). Returns why the pose is
 * implausible, or null. Skipped when the ears are not both visible (profiles, backs, hats).
 */
export function headBodyMismatch(keypoints: readonly { name: string; x: number; y: number; score: number }[]): string | null {
  const k = (n: string) => keypoints.find((p) => p.name === n);
  const le = k('left_ear');
  const re = k('right_ear');
  const ls = k('left_shoulder');
  const rs = k('right_shoulder');
  const nose = k('nose');
  if (!le || !re || !ls || !rs || !nose || le.score < 0.5 || re.score < 0.5 || nose.score < 0.5) return null;
  const ears = Math.hypot(le.x - re.x, le.y - re.y);
  if (ears < 1) return null;
  const neck = Math.hypot(nose.x - (ls.x + rs.x) / 2, nose.y - (ls.y + rs.y) / 2) / ears;
  const span = Math.hypot(ls.x - rs.x, ls.y - rs.y) / ears;
  if (neck < MIN_NECK_EARS || span < MIN_SHOULDERS_EARS) {
    return `shoulders ${span.toFixed(1)} and nose-to-shoulders ${neck.toFixed(1)} ear widths, where a body shows at least ${MIN_SHOULDERS_EARS} and ${MIN_NECK_EARS}`;
  }
  return null;
}

export const MIN_NECK_EARS = 0.8;
export const MIN_SHOULDERS_EARS = 1.5;
