/**
 * The TypeScript engine: warp.ts and composite.ts with their buffers reused from pair to pair.
 * The warp's layers alone are 8 floats a pixel (~9 MB for a 500x600 crop), and allocating them
 * per pair keeps the garbage collector busy; clearing them whole per pair costs nearly as much
 * (LayersBuffer clears only what the last warp wrote). The buffers are kept at their full size
 * (the outputs are views of them), with headroom, so that a crop a little larger than the last
 * does not allocate them all again; the filters' temporaries are in its Scratch. One engine per
 * thread: its outputs are valid until its next call (the renderer copies them out before it
 * next awaits anything). It holds about 56 bytes a pixel of the largest crop seen (warp layers
 * 32, outputs 8, scratch about 16), some 17 MB for a 500x600 crop.
 */
import type { CropInputs, CropOutputs, RenderEngine } from '../contract.ts';
import { compositeCpu } from './composite.ts';
import { Scratch } from './scratch.ts';
import { LayersBuffer } from './warp.ts';

export class JsEngine implements RenderEngine {
  readonly name = 'js';
  private readonly layers = new LayersBuffer();
  private readonly scratch = new Scratch();
  private buffers: CropOutputs = { image: new Uint8Array(0), alpha: new Uint8Array(0), exposed: new Uint8Array(0), warped: new Uint8Array(0) };

  /** Output buffers for n pixels, grown by a quarter more than asked when too small. */
  private outputBuffers(n: number, imageOnly: boolean): CropOutputs {
    const grow = (b: Uint8Array, len: number): Uint8Array => (b.length >= len ? b : new Uint8Array(Math.ceil(1.25 * len)));
    const b = this.buffers;
    this.buffers = {
      image: grow(b.image, 3 * n),
      alpha: imageOnly ? b.alpha : grow(b.alpha, n),
      exposed: imageOnly ? b.exposed : grow(b.exposed, n),
      warped: imageOnly ? b.warped : grow(b.warped, 3 * n),
    };
    return this.buffers;
  }

  renderCrop(c: CropInputs, lap: (stage: string) => void): CropOutputs {
    const warped = this.layers.warp(c.texture, c.grid, c.height, c.width);
    lap('warp');
    const { photo, bare, masks, means, pool, width, height, imageOnly } = c;
    return compositeCpu({ layers: warped, photo, bare, masks, means, pool, width, height, imageOnly }, this.outputBuffers(width * height, imageOnly), this.scratch);
  }
}
