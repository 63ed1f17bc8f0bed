/**
 * 4-connected pixel operations on 0/1 masks over a crop, without a closure or an array per
 * pixel: the bare body runs them over a whole person's box several times.
 */

/** Whether any 4-neighbour of pixel k (at x, y) is set in `mask`. */
export function touches(mask: Uint8Array, k: number, x: number, y: number, w: number, h: number): boolean {
  return (x > 0 && mask[k - 1] !== 0) || (x < w - 1 && mask[k + 1] !== 0) || (y > 0 && mask[k - w] !== 0) || (y < h - 1 && mask[k + w] !== 0);
}

/**
 * Flood fill from the seeds through the pixels `allow` sets: returns the reached mask (the seeds
 * included; a seed not allowed is still reached, but spreads nowhere it could not).
 */
export function flood(seeds: Uint8Array, allow: Uint8Array, w: number, h: number): Uint8Array {
  const reached = new Uint8Array(seeds.length);
  const queue = new Int32Array(seeds.length);
  let tail = 0;
  for (let k = 0; k < seeds.length; k++) if (seeds[k]) (reached[k] = 1), (queue[tail++] = k);
  for (let head = 0; head < tail; head++) {
    const k = queue[head];
    const x = k % w;
    if (x > 0 && allow[k - 1] && !reached[k - 1]) (reached[k - 1] = 1), (queue[tail++] = k - 1);
    if (x < w - 1 && allow[k + 1] && !reached[k + 1]) (reached[k + 1] = 1), (queue[tail++] = k + 1);
    if (k >= w && allow[k - w] && !reached[k - w]) (reached[k - w] = 1), (queue[tail++] = k - w);
    if (k + w < seeds.length && allow[k + w] && !reached[k + w]) (reached[k + w] = 1), (queue[tail++] = k + w);
  }
  return reached;
}

/** The 4-connected components of a mask: a label per pixel (-1 outside) and each component's pixels. */
export function components(mask: Uint8Array, w: number, h: number): { labels: Int32Array; members: Int32Array[] } {
  const labels = new Int32Array(mask.length).fill(-1);
  const members: Int32Array[] = [];
  const queue = new Int32Array(mask.length);
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || labels[s] >= 0) continue;
    const id = members.length;
    let tail = 0;
    queue[tail++] = s;
    labels[s] = id;
    for (let head = 0; head < tail; head++) {
      const k = queue[head];
      const x = k % w;
      if (x > 0 && mask[k - 1] && labels[k - 1] < 0) (labels[k - 1] = id), (queue[tail++] = k - 1);
      if (x < w - 1 && mask[k + 1] && labels[k + 1] < 0) (labels[k + 1] = id), (queue[tail++] = k + 1);
      if (k >= w && mask[k - w] && labels[k - w] < 0) (labels[k - w] = id), (queue[tail++] = k - w);
      if (k + w < mask.length && mask[k + w] && labels[k + w] < 0) (labels[k + w] = id), (queue[tail++] = k + w);
    }
    members.push(queue.slice(0, tail));
  }
  void h;
  return { labels, members };
}

/** Erodes a 0/1 mask by r pixels (4-neighbourhood steps). */
export function erode4(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  let cur = mask;
  for (let s = 0; s < r; s++) {
    const next = new Uint8Array(cur.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0, k = y * w; x < w; x++, k++) {
        if (!cur[k]) continue;
        next[k] = x > 0 && x < w - 1 && y > 0 && y < h - 1 && cur[k - 1] && cur[k + 1] && cur[k - w] && cur[k + w] ? 1 : 0;
      }
    }
    cur = next;
  }
  return cur;
}
