/**
 * The TypeScript render path (src/render/cpu/) as tryOn calls it, with its buffers reused
 * from pair to pair: the warp's layers alone are 8 floats a pixel (~9 MB for a 500x600
 * crop), and allocating them per pair keeps the garbage collector busy; clearing them whole
 * per pair costs nearly as much (LayersBuffer clears only what the last warp wrote).
 * The buffers are kept at their full size (the outputs are views of them), with headroom, so
 * that a crop a little larger than the last does not allocate them all again.
 * Safe because tryOn copies the outputs out before it next awaits anything.
 */
import type { GarmentTexture } from './texture.ts';
import type { WarpGrid } from '../fit/warp.ts';
import { compositeCpu, type CompositeOutput } from './cpu/composite.ts';
import { LayersBuffer } from './cpu/warp.ts';

const layers = new LayersBuffer();
let buffers: CompositeOutput = { image: new Uint8Array(0), alpha: new Uint8Array(0), exposed: new Uint8Array(0), warped: new Uint8Array(0) };

/** Output buffers for n pixels, grown by a quarter more than asked when too small. */
function outputBuffers(n: number, imageOnly: boolean): CompositeOutput {
  const grow = (b: Uint8Array, len: number): Uint8Array => (b.length >= len ? b : new Uint8Array(Math.ceil(1.25 * len)));
  buffers = {
    image: grow(buffers.image, 3 * n),
    alpha: imageOnly ? buffers.alpha : grow(buffers.alpha, n),
    exposed: imageOnly ? buffers.exposed : grow(buffers.exposed, n),
    warped: imageOnly ? buffers.warped : grow(buffers.warped, 3 * n),
  };
  return buffers;
}

/**
 * Warp and composite of one crop.
 * @returns the composite's outputs, views of this module's buffers: valid until the next call
 */
export function renderCropCpu(
  tex: GarmentTexture,
  grid: WarpGrid,
  crop: { photo: Uint8Array; masks: Uint8Array; skin: ArrayLike<number>; means: ArrayLike<number>; pool: number; width: number; height: number; imageOnly?: boolean },
  lap: (stage: string) => void,
): CompositeOutput {
  const warped = layers.warp(tex, grid, crop.height, crop.width);
  lap('warp');
  return compositeCpu({ layers: warped, ...crop }, outputBuffers(crop.width * crop.height, crop.imageOnly === true));
}
