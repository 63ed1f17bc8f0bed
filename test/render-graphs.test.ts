import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { MASK, MASK_CHANNELS, TEX_CHANNELS } from '../src/engines/contract.ts';
import { buildCompositeGraph, buildWarpGraph } from '../src/engines/onnx/graphs.ts';
import { gridSample, resizeAlignCorners, warpLayers } from './helpers/reference.ts';
import { graphRegistry } from './helpers/graph-registry.ts';

const registry = graphRegistry();
afterAll(() => registry.release());

function random(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return lo + (hi - lo) * (s / 2147483647);
  });
}

describe('TS reference operators', () => {
  it('GridSample: pixel centres sample exactly, outside is zero, halfway is the mean', () => {
    // 1 channel, 2x2: [[1, 2], [3, 4]]
    const src = Float32Array.from([1, 2, 3, 4]);
    const at = (x: number, y: number): number => gridSample(src, 1, 2, 2, Float32Array.from([x, y]), 1)[0];
    expect(at(-0.5, -0.5)).toBeCloseTo(1, 6); // centre of pixel (0,0) with align_corners 0
    expect(at(0.5, 0.5)).toBeCloseTo(4, 6);
    expect(at(0, -0.5)).toBeCloseTo(1.5, 6);
    expect(at(-3, 0)).toBe(0);
  });

  it('Resize align_corners keeps the corners', () => {
    const out = resizeAlignCorners(Float32Array.from([0, 10, 20, 30]), 1, 2, 2, 3, 5);
    expect(out[0]).toBe(0);
    expect(out[4]).toBe(10);
    expect(out[10]).toBe(20);
    expect(out[14]).toBe(30);
    expect(out[2]).toBeCloseTo(5, 6);
  });
});

describe('warp graph', () => {
  it('matches the TypeScript reference GridSample pipeline on a small input', async () => {
    const th = 12;
    const tw = 10;
    const tex = random(TEX_CHANNELS * th * tw, 7);
    // Whole alpha = sum of the part alphas, as the texture builder makes it.
    const n = th * tw;
    for (let i = 0; i < n; i++) tex[6 * n + i] = tex[3 * n + i] + tex[4 * n + i] + tex[5 * n + i];
    const gr = 4;
    const gc = 5;
    const grid = random(9 * gr * gc, 11, -1.2, 1.2);
    for (let m = 0; m < 3; m++) for (let i = 0; i < gr * gc; i++) grid[(3 * m + 2) * gr * gc + i] = 0.5 + 0.5 * Math.sin(i + m); // allowances 0..1
    const h = 13;
    const w = 17;
    const session = await registry.sessionFromBytes('test-warp', buildWarpGraph());
    const { layers } = await session.run({
      tex: new ort.Tensor('float32', tex, [1, TEX_CHANNELS, th, tw]),
      grid: new ort.Tensor('float32', grid, [1, 9, gr, gc]),
      hw: new ort.Tensor('int64', BigInt64Array.from([BigInt(h), BigInt(w)]), [2]),
    });
    expect(layers.dims).toEqual([1, 8, h, w]);
    const ref = warpLayers(tex, th, tw, grid, gr, gc, h, w);
    const got = layers.data as Float32Array;
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - got[i]));
    expect(max).toBeLessThan(1e-4);
    // Not trivially zero: the garment was sampled somewhere.
    expect(ref.reduce((a, v) => a + v, 0)).toBeGreaterThan(1);
  });
});

describe('composite graph', () => {
  async function run(layers: Float32Array, photo: Uint8Array, bare: Uint8Array, masks: Uint8Array, h: number, w: number) {
    const session = await registry.sessionFromBytes('test-composite', buildCompositeGraph(4));
    return session.run({
      layers: new ort.Tensor('float32', layers, [1, 8, h, w]),
      photo: new ort.Tensor('uint8', photo, [1, h, w, 3]),
      bare: new ort.Tensor('uint8', bare, [1, h, w, 3]),
      masks: new ort.Tensor('uint8', masks, [1, h, w, MASK_CHANNELS]),
      means: new ort.Tensor('float32', Float32Array.from([0.5]), [1, 1, 1, 1]),
    });
  }

  it('gives the bare body exactly as it is where there is no new garment', async () => {
    const h = 16;
    const w = 20;
    const photo = Uint8Array.from(random(h * w * 3, 3, 0, 255), (v) => Math.round(v));
    const bare = Uint8Array.from(random(h * w * 3, 5, 0, 255), (v) => Math.round(v));
    const masks = Uint8Array.from(random(h * w * MASK_CHANNELS, 7, 0, 255), (v) => (v > 128 ? 255 : 0));
    const out = await run(new Float32Array(8 * h * w), photo, bare, masks, h, w);
    expect(Array.from(out.image.data as Uint8Array)).toEqual(Array.from(bare));
    expect((out.alpha.data as Uint8Array).every((v) => v === 0)).toBe(true);
  });

  it('draws an opaque garment in its own colour under flat light, and keeps occluders in front', async () => {
    const h = 16;
    const w = 16;
    const n = h * w;
    const layers = new Float32Array(8 * n);
    for (let i = 0; i < n; i++) {
      layers[i] = 0.2; // main part premultiplied RGB (0.2, 0.4, 0.6), alpha 1
      layers[n + i] = 0.4;
      layers[2 * n + i] = 0.6;
      layers[3 * n + i] = 1;
    }
    const photo = new Uint8Array(n * 3).fill(128);
    const bare = new Uint8Array(n * 3).fill(200);
    const masks = new Uint8Array(n * MASK_CHANNELS);
    // Old garment everywhere (flat grey: gain 1), an occluder block in the top-left 4x4.
    // (Labels are exclusive: the occluder block is not old garment.)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) masks[(y * w + x) * MASK_CHANNELS + (x < 8 && y < 8 ? MASK.occluder : MASK.old)] = 255;
    }
    const out = await run(layers, photo, bare, masks, h, w);
    const img = out.image.data as Uint8Array;
    const px = (x: number, y: number): number[] => Array.from(img.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    // means[0] = 0.5 = 128/255 roughly: gain ~1 -> the garment colour.
    expect(px(10, 10)[0]).toBeGreaterThan(45);
    expect(px(10, 10)[0]).toBeLessThan(58);
    expect(px(10, 10)[2]).toBeGreaterThan(145);
    expect(px(10, 10)[2]).toBeLessThan(160);
    // Occluded corner: the bare body.
    expect(px(0, 0)).toEqual([200, 200, 200]);
    expect(px(3, 3)).toEqual([200, 200, 200]);
  });
});
