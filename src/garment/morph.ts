/**
 * Binary-image helpers for garment masks (0/1 bytes, row-major): square dilation, flood fill
 * from the frame border and connected components. Square, separable and O(n*r): masks are
 * worked at about 384x512, where this is a few milliseconds.
 */

/**
 * Dilates a 0/1 mask by a (2r+1)^2 square. Each pass keeps the position of the last set pixel
 * that has entered the window: a pixel is set when that one has not left the window yet.
 */
export function dilate(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return src.slice();
  const FAR = -(1 << 30);
  const tmp = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let last = FAR;
    for (let x = 0; x < Math.min(r, w); x++) if (src[row + x]) last = x;
    for (let x = 0; x < w; x++) {
      const j = x + r;
      if (j < w && src[row + j]) last = j;
      tmp[row + x] = last >= x - r ? 1 : 0;
    }
  }
  // Vertical pass row by row (the last set row per column), so memory is walked in order.
  const out = new Uint8Array(w * h);
  const lastY = new Int32Array(w).fill(FAR);
  for (let y = 0; y < Math.min(r, h); y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) if (tmp[row + x]) lastY[x] = y;
  }
  for (let y = 0; y < h; y++) {
    const j = y + r;
    const row = y * w;
    const oldest = y - r;
    if (j < h) {
      const add = j * w;
      for (let x = 0; x < w; x++) {
        if (tmp[add + x]) lastY[x] = j;
        out[row + x] = lastY[x] >= oldest ? 1 : 0;
      }
    } else {
      for (let x = 0; x < w; x++) out[row + x] = lastY[x] >= oldest ? 1 : 0;
    }
  }
  return out;
}

export function erode(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < inv.length; i++) inv[i] = src[i] ? 0 : 1;
  const d = dilate(inv, w, h, r);
  for (let i = 0; i < d.length; i++) d[i] = d[i] ? 0 : 1;
  return d;
}

/**
 * Labels 4-connected components of set pixels. Returns labels (0 = unset, 1.. = component)
 * and each component's area, index 0 unused.
 */
export function components(src: Uint8Array, w: number, h: number): { labels: Int32Array; areas: number[] } {
  const labels = new Int32Array(w * h);
  const areas = [0];
  const stack = new Int32Array(w * h);
  let next = 0;
  for (let start = 0; start < src.length; start++) {
    if (!src[start] || labels[start]) continue;
    next++;
    let area = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    while (top > 0) {
      const p = stack[--top];
      area++;
      const x = p % w;
      if (x > 0 && src[p - 1] && !labels[p - 1]) { labels[p - 1] = next; stack[top++] = p - 1; }
      if (x < w - 1 && src[p + 1] && !labels[p + 1]) { labels[p + 1] = next; stack[top++] = p + 1; }
      if (p >= w && src[p - w] && !labels[p - w]) { labels[p - w] = next; stack[top++] = p - w; }
      if (p < src.length - w && src[p + w] && !labels[p + w]) { labels[p + w] = next; stack[top++] = p + w; }
    }
    areas.push(area);
  }
  return { labels, areas };
}

/** Set pixels of `open` reachable (4-connected) from the frame border. */
export function floodFromBorder(open: Uint8Array, w: number, h: number): Uint8Array {
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let top = 0;
  const seed = (p: number): void => {
    if (open[p] && !seen[p]) { seen[p] = 1; stack[top++] = p; }
  };
  for (let x = 0; x < w; x++) { seed(x); seed((h - 1) * w + x); }
  for (let y = 0; y < h; y++) { seed(y * w); seed(y * w + w - 1); }
  while (top > 0) {
    const p = stack[--top];
    const x = p % w;
    if (x > 0) seed(p - 1);
    if (x < w - 1) seed(p + 1);
    if (p >= w) seed(p - w);
    if (p < open.length - w) seed(p + w);
  }
  return seen;
}

/** Keeps only the largest 4-connected component; returns it and the second largest's area. */
export function largestComponent(src: Uint8Array, w: number, h: number): { mask: Uint8Array; area: number; second: number; dropped: number } {
  const { labels, areas } = components(src, w, h);
  let best = 0;
  for (let i = 1; i < areas.length; i++) if (areas[i] > (areas[best] ?? 0)) best = i;
  const out = new Uint8Array(w * h);
  if (best === 0) return { mask: out, area: 0, second: 0, dropped: 0 };
  for (let i = 0; i < out.length; i++) out[i] = labels[i] === best ? 1 : 0;
  let second = 0;
  for (let i = 1; i < areas.length; i++) if (i !== best && areas[i] > second) second = areas[i];
  return { mask: out, area: areas[best], second, dropped: areas.length - 2 };
}
