/** Shared checks for the garment tests: landmarks inside the mask and in anatomical order. */
import { DRESS_LANDMARKS, LOWER_LANDMARKS, UPPER_LANDMARKS, type GarmentAnalysis, type GarmentCategory } from '../src/types.ts';

export function landmarkNames(category: GarmentCategory): readonly string[] {
  return category === 'upper' ? UPPER_LANDMARKS : category === 'lower' ? LOWER_LANDMARKS : DRESS_LANDMARKS;
}

/** Largest mask value within `radius` px of (x, y). */
export function maskNear(a: GarmentAnalysis, x: number, y: number, radius: number): number {
  let best = 0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const X = Math.round(x + dx), Y = Math.round(y + dy);
      if (X < 0 || Y < 0 || X >= a.width || Y >= a.height) continue;
      best = Math.max(best, a.mask.data[Y * a.width + X]);
    }
  }
  return best;
}

/** Problems with a garment's landmarks (empty when all is well), as readable lines. */
export function landmarkProblems(a: GarmentAnalysis, tolerance = 4): string[] {
  const out: string[] = [];
  const lm = a.landmarks as Record<string, { x: number; y: number }>;
  for (const name of landmarkNames(a.category)) {
    const p = lm[name];
    if (!p) { out.push(`${name} missing`); continue; }
    if (maskNear(a, p.x, p.y, tolerance) < 128) out.push(`${name} (${p.x}, ${p.y}) outside the mask`);
  }
  if (out.length) return out;
  // "a left of b" in the image: a.x < b.x (the wearer's right is the image left).
  const leftOf = (a1: string, b1: string, slack = 0): void => {
    if (!(lm[a1].x < lm[b1].x + slack)) out.push(`${a1}.x ${lm[a1].x} should be < ${b1}.x ${lm[b1].x}`);
  };
  const above = (a1: string, b1: string, slack = 0): void => {
    if (!(lm[a1].y < lm[b1].y + slack)) out.push(`${a1}.y ${lm[a1].y} should be < ${b1}.y ${lm[b1].y}`);
  };
  if (a.category === 'lower') {
    leftOf('waistband_right', 'waistband_left');
    leftOf('bottom_right_out', 'bottom_right_in', 1);
    leftOf('bottom_right_in', 'bottom_left_in', 1);
    leftOf('bottom_left_in', 'bottom_left_out', 1);
    leftOf('bottom_right_in', 'crotch', 1);
    leftOf('crotch', 'bottom_left_in', 1);
    for (const s of ['right', 'left']) {
      above(`waistband_${s}`, 'crotch');
      above('crotch', `bottom_${s}_in`, 1);
      above('crotch', `bottom_${s}_out`, 1);
    }
    return out;
  }
  leftOf('neckline_right', 'center_front');
  leftOf('center_front', 'neckline_left');
  leftOf('shoulder_right', 'shoulder_left');
  leftOf('armpit_right', 'armpit_left');
  leftOf('top_hem_right', 'top_hem_left');
  leftOf('cuff_right_out', 'center_front');
  leftOf('center_front', 'cuff_left_out');
  leftOf('cuff_right_in', 'center_front');
  leftOf('center_front', 'cuff_left_in');
  for (const s of ['right', 'left']) {
    above(`neckline_${s}`, 'center_front', 1);
    above(`shoulder_${s}`, `armpit_${s}`);
    above(`armpit_${s}`, `top_hem_${s}`);
  }
  if (a.category === 'dress') {
    leftOf('hemline_right', 'hemline_left');
    above('top_hem_right', 'hemline_right');
    above('top_hem_left', 'hemline_left');
  }
  return out;
}

/**
 * Problems with a sleeved garment's sleeve corners (empty when all is well): the four corners
 * a sleeve's warp is solved from (shoulder, armpit, cuff out and in) must be four, with an
 * opening of some width and an underarm that is not a point.
 */
export function sleeveProblems(a: GarmentAnalysis): string[] {
  if (a.category === 'lower' || a.sleeve === 'none') return [];
  const lm = a.landmarks as Record<string, { x: number; y: number }>;
  const d = (p: { x: number; y: number }, q: { x: number; y: number }): number => Math.hypot(p.x - q.x, p.y - q.y);
  const sw = d(lm.shoulder_left, lm.shoulder_right);
  const out: string[] = [];
  for (const s of ['left', 'right']) {
    const opening = d(lm[`cuff_${s}_out`], lm[`cuff_${s}_in`]);
    const underarm = d(lm[`cuff_${s}_in`], lm[`armpit_${s}`]);
    if (opening < 0.06 * sw) out.push(`${s} sleeve opening ${opening.toFixed(0)} px (shoulders ${sw.toFixed(0)})`);
    if (underarm < 0.03 * sw) out.push(`${s} cuff's inner end on the armpit (${underarm.toFixed(0)} px)`);
  }
  return out;
}
