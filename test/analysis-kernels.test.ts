/**
 * The analyses' fast pixel kernels against plain, obviously right versions of the same
 * operation on random inputs: square dilation (garment masks), mask bounds (person), box
 * means (person guided filter, skin smoothing) and the Lab conversions with their colour
 * caches (garment). The fast versions skip work (runs, tiles, repeated colours); these tests
 * are what says the skipping never changes a value.
 */
import { describe, expect, it } from 'vitest';
import { imageToLab, LabMemo, rgbToLab, rgbToLabInto } from '../src/garment/color.ts';
import { dilate, erode } from '../src/garment/morph.ts';
import { boundsOver, boxMean } from '../src/person/mask.ts';

/** Small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('garment morphology', () => {
  it('dilates and erodes like the plain (2r+1)^2 square window, borders included', () => {
    const rnd = random(1);
    for (let trial = 0; trial < 200; trial++) {
      const w = 1 + Math.floor(rnd() * 24);
      const h = 1 + Math.floor(rnd() * 24);
      const r = Math.floor(rnd() * 6);
      const density = rnd() * 0.3;
      const src = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0));
      const want = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          for (let dy = -r; dy <= r && !want[y * w + x]; dy++) {
            for (let dx = -r; dx <= r; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx >= 0 && yy >= 0 && xx < w && yy < h && src[yy * w + xx]) want[y * w + x] = 1;
            }
          }
        }
      }
      expect(Array.from(dilate(src, w, h, r)), `${w}x${h} r=${r}`).toEqual(Array.from(want));
      // Erosion is dilation of the complement (pixels past the border count as unset).
      const inv = src.map((v) => 1 - v);
      const eroded = erode(inv, w, h, r);
      expect(Array.from(eroded)).toEqual(Array.from(want.map((v) => 1 - v)));
    }
  });
});

describe('person mask kernels', () => {
  it('finds the bounds of the pixels at or over a threshold, and null when there are none', () => {
    const rnd = random(2);
    for (let trial = 0; trial < 300; trial++) {
      const width = 1 + Math.floor(rnd() * 30);
      const height = 1 + Math.floor(rnd() * 30);
      const data = new Uint8Array(width * height);
      const blobs = Math.floor(rnd() * 4);
      for (let b = 0; b < blobs; b++) data[Math.floor(rnd() * data.length)] = 1 + Math.floor(rnd() * 255);
      const min = rnd() < 0.5 ? 1 : 128;
      let want: { x0: number; y0: number; x1: number; y1: number } | null = null;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (data[y * width + x] < min) continue;
          want = want
            ? { x0: Math.min(want.x0, x), y0: Math.min(want.y0, y), x1: Math.max(want.x1, x), y1: Math.max(want.y1, y) }
            : { x0: x, y0: y, x1: x, y1: y };
        }
      }
      expect(boundsOver({ data, width, height }, min)).toEqual(want);
    }
  });

  it('box-means like the plain clipped window average, for any radius and size', () => {
    const rnd = random(3);
    for (let trial = 0; trial < 150; trial++) {
      const w = 1 + Math.floor(rnd() * 20);
      const h = 1 + Math.floor(rnd() * 20);
      const r = Math.floor(rnd() * 8);
      const src = new Float32Array(w * h).map(() => (rnd() < 0.4 ? 0 : rnd() * 255));
      const got = boxMean(src, w, h, r, new Float32Array(w * h), new Float32Array(w * h));
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = 0;
          let n = 0;
          for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
            for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
              sum += src[yy * w + xx];
              n++;
            }
          }
          expect(Math.abs(got[y * w + x] - sum / n)).toBeLessThan(1e-3);
        }
      }
    }
  });
});

describe('garment Lab conversion', () => {
  it('gives every pixel the same Lab whether its colour was cached or not', () => {
    const rnd = random(4);
    // Few colours, many repeats (like a product photo), in both channel layouts.
    const palette = Array.from({ length: 40 }, () => [0, 0, 0].map(() => Math.floor(rnd() * 256)));
    for (const channels of [3, 4]) {
      const count = 5000;
      const data = new Uint8Array(count * channels);
      for (let i = 0; i < count; i++) data.set(palette[Math.floor(rnd() * palette.length)], i * channels);
      const first = imageToLab(data, count, channels);
      const again = imageToLab(data, count, channels);
      const memo = new LabMemo(4); // small: colours collide and are recomputed
      for (let i = 0; i < count; i++) {
        const o = i * channels;
        const exact = rgbToLab(data[o], data[o + 1], data[o + 2]);
        // imageToLab tabulates f(): close to the exact conversion, and the same on every call.
        expect(Math.abs(first.L[i] - exact[0])).toBeLessThan(0.01);
        expect(Math.abs(first.A[i] - exact[1])).toBeLessThan(0.05);
        expect(Math.abs(first.B[i] - exact[2])).toBeLessThan(0.05);
        expect([again.L[i], again.A[i], again.B[i]]).toEqual([first.L[i], first.A[i], first.B[i]]);
        const into = new Float32Array(3);
        rgbToLabInto(data[o], data[o + 1], data[o + 2], into, 0, memo);
        rgbToLabInto(data[o], data[o + 1], data[o + 2], into, 0, memo);
        expect(Array.from(into)).toEqual(Array.from(Float32Array.from(exact)));
      }
    }
  });
});
