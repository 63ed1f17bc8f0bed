/**
 * The render graphs' inputs for a person x garment pair, built as tryOn
 * (src/render/tryon.ts) builds them, and both render paths run on them: the ONNX graphs and
 * the TypeScript CPU path (src/engines/js/). For the parity test, the benchmark and the
 * contact sheet.
 */
import * as ort from 'onnxruntime-node';
import type { ModelRegistry } from '../../src/models/registry.ts';
import type { Box, GarmentAnalysis, PersonAnalysis, RawImage } from '../../src/types.ts';
import { warpGrid, type WarpGrid } from '../../src/fit/warp.ts';
import { TEX_CHANNELS } from '../../src/engines/contract.ts';
import { compositeSession, warpSession } from '../../src/engines/onnx/engine.ts';
import { cropMasks } from '../../src/render/masks.ts';
import { PersonState } from '../../src/render/state.ts';
import { garmentTexture, type GarmentTexture } from '../../src/render/texture.ts';
import { fitGarment, poolFor } from '../../src/render/tryon.ts';
import { compositeCpu, type CompositeOutput } from '../../src/engines/js/composite.ts';
import { warpCpu } from '../../src/engines/js/warp.ts';

export interface RenderInputs {
  box: Box;
  tex: GarmentTexture;
  grid: WarpGrid;
  photo: Uint8Array;
  bare: Uint8Array;
  masks: Uint8Array;
  means: number[];
  pool: number;
}

function crop(img: RawImage, box: Box): Uint8Array {
  const out = new Uint8Array(box.width * box.height * 3);
  const ch = img.channels;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const s = ((box.y + y) * img.width + box.x + x) * ch;
      const d = (y * box.width + x) * 3;
      for (let c = 0; c < 3; c++) out[d + c] = img.data[s + (ch > c ? c : 0)];
    }
  }
  return out;
}

/** As tryOn: bare body, fit, grid, texture, masks, pool. `pool` overrides poolFor. */
export async function renderInputs(person: PersonAnalysis, garment: GarmentAnalysis, pool?: number): Promise<RenderInputs> {
  const state = new PersonState(person);
  const bare = await state.bare(garment.category);
  const roles = await state.roles(garment.category);
  const { body, plan, box } = fitGarment(state, garment, 'M', bare.changed);
  const tex = await garmentTexture(garment, plan);
  const grid = warpGrid(plan, garment, box, tex.window);
  const necks = plan.main.filter((c) => c.name.startsWith('neckline_'));
  const neckY = necks.length ? necks.reduce((a, c) => a + c.body.y, 0) / necks.length + 0.04 * body.shoulderWidth : Infinity;
  const masks = cropMasks(roles, person.image, box, neckY);
  // The bare body over the crop: the layer in its box, the photo beyond.
  const bareImage: RawImage = { data: crop(person.image, { x: 0, y: 0, width: person.width, height: person.height }), width: person.width, height: person.height, channels: 3 };
  for (let y = 0; y < bare.box.height; y++) bareImage.data.set(bare.image.subarray(y * bare.box.width * 3, (y + 1) * bare.box.width * 3), ((bare.box.y + y) * person.width + bare.box.x) * 3);
  return {
    box,
    tex,
    grid,
    photo: crop(person.image, box),
    bare: crop(bareImage, box),
    masks: masks.data,
    means: [...masks.means],
    pool: pool ?? poolFor(body),
  };
}

export function warpFeeds(r: RenderInputs): Record<string, ort.Tensor> {
  return {
    tex: new ort.Tensor('float32', r.tex.data, [1, TEX_CHANNELS, r.tex.height, r.tex.width]),
    grid: new ort.Tensor('float32', r.grid.data, [1, 9, r.grid.rows, r.grid.cols]),
    hw: new ort.Tensor('int64', BigInt64Array.from([BigInt(r.box.height), BigInt(r.box.width)]), [2]),
  };
}

export function compositeFeeds(r: RenderInputs, layers: Float32Array): Record<string, ort.Tensor> {
  const { width: w, height: h } = r.box;
  return {
    layers: new ort.Tensor('float32', layers, [1, 8, h, w]),
    photo: new ort.Tensor('uint8', r.photo, [1, h, w, 3]),
    bare: new ort.Tensor('uint8', r.bare, [1, h, w, 3]),
    masks: new ort.Tensor('uint8', r.masks, [1, h, w, r.masks.length / (w * h)]),
    means: new ort.Tensor('float32', Float32Array.from([r.means[0]]), [1, 1, 1, 1]),
  };
}

export interface RenderOutputs {
  layers: Float32Array;
  composite: CompositeOutput;
}

/**
 * The graphs on `r`. The composite runs on the graph's own layers, so its comparison with the
 * CPU composite (fed the same layers) tests the composite alone.
 */
export async function renderGraphs(registry: ModelRegistry, r: RenderInputs): Promise<RenderOutputs> {
  const warp = await warpSession(registry);
  const layers = (await warp.run(warpFeeds(r))).layers.data as Float32Array;
  const composite = await compositeSession(registry, r.pool);
  const out = await composite.run(compositeFeeds(r, layers));
  const bytes = (k: string): Uint8Array => out[k].data as Uint8Array;
  return { layers, composite: { image: bytes('image'), alpha: bytes('alpha'), exposed: bytes('exposed'), warped: bytes('warped') } };
}

/** The CPU path on `r`; the composite takes `layers` when given (else the CPU warp's). */
export function renderCpu(r: RenderInputs, layers?: Float32Array): RenderOutputs {
  const own = warpCpu(r.tex, r.grid, r.box.height, r.box.width);
  const composite = compositeCpu({
    layers: layers ?? own,
    photo: r.photo,
    bare: r.bare,
    masks: r.masks,
    means: r.means,
    width: r.box.width,
    height: r.box.height,
    pool: r.pool,
  });
  return { layers: own, composite };
}

/** Max and mean absolute difference of two equal-length arrays. */
export function diffStats(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`diffStats: lengths differ (${a.length} vs ${b.length})`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
    sum += d;
  }
  return { max, mean: a.length ? sum / a.length : 0 };
}
