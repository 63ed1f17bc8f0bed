/**
 * Legs the pose model did not see. Where a knee and its ankle are both unseen (out of the
 * frame of a half-length photo, under wide trousers or a long skirt), BlazePose puts them
 * straight below the hip joints, as far apart as the joints are. Standing legs converge: the
 * thighs meet below the crotch and the knees nearly touch. Unseen knees and ankles are drawn in
 * towards the body's axis, so trousers fitted to them and bare legs drawn on them do not stand
 * apart with backdrop between them.
 */
import type { Keypoint } from '../types.ts';

/** Visibility below which a knee or ankle counts as unseen. */
const UNSEEN = 0.5;
/** How far unseen knees and ankles move from where BlazePose put them towards the body's axis. */
const DRAW_IN = { knee: 0.3, ankle: 0.4 } as const;

const PAIRS = [
  { hip: 23, knee: 25, ankle: 27 },
  { hip: 24, knee: 26, ankle: 28 },
] as const;

/** The keypoints with unseen knees and ankles drawn in (a copy; the others as they were). */
export function withUnseenLegs(keypoints: readonly Keypoint[]): Keypoint[] {
  const out = keypoints.map((k) => ({ ...k }));
  const [l, r] = PAIRS.map((p) => keypoints[p.hip]);
  const hipMid = { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 };
  const s = keypoints[11];
  const t = keypoints[12];
  const shoulderMid = { x: (s.x + t.x) / 2, y: (s.y + t.y) / 2 };
  let dx = hipMid.x - shoulderMid.x;
  let dy = hipMid.y - shoulderMid.y;
  const len = Math.hypot(dx, dy);
  if (len < 1 || dy / len < 0.5) [dx, dy] = [0, 1];
  else [dx, dy] = [dx / len, dy / len];
  for (const p of PAIRS) {
    if (keypoints[p.knee].score >= UNSEEN || keypoints[p.ankle].score >= UNSEEN) continue;
    for (const joint of ['knee', 'ankle'] as const) {
      const k = out[p[joint]];
      // Its offset across the body's axis (through the hips' midpoint), shrunk.
      const across = (k.x - hipMid.x) * dy - (k.y - hipMid.y) * dx;
      k.x -= across * dy * DRAW_IN[joint];
      k.y += across * dx * DRAW_IN[joint];
    }
  }
  return out;
}
