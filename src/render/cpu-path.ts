/**
 * The TypeScript render path (src/render/cpu/) as tryOn calls it, with its output buffers
 * reused from pair to pair: the warp's layers alone are 8 floats a pixel (~8 MB for a
 * 500x500 crop), and allocating them per pair keeps the garbage collector busy.
 * Safe because tryOn copies the outputs out before it next awaits anything.
 */
import type { GarmentTexture } from './texture.ts';
import type { WarpGrid } from '../fit/warp.ts';
import { compositeCpu, type CompositeOutput } from './cpu/composite.ts';
import { warpCpu } from './cpu/warp.ts';

let layers: Float32Array | undefined;
let outputs: CompositeOutput | undefined;

export function renderCropCpu(
  tex: GarmentTexture,
  grid: WarpGrid,
  crop: { photo: Uint8Array; masks: Uint8Array; skin: ArrayLike<number>; means: ArrayLike<number>; pool: number; width: number; height: number },
  lap: (stage: string) => void,
): CompositeOutput {
  layers = warpCpu(tex, grid, crop.height, crop.width, layers);
  lap('warp');
  outputs = compositeCpu({ layers, ...crop }, outputs);
  return outputs;
}
