/**
 * What a render engine takes and gives: the pixel work of one pair over its crop (warp the
 * garment texture along the fit's grid, composite it into the photo with the per-pixel roles).
 * Two engines compute it: the ONNX graphs (onnx/, the specification, run on the models'
 * execution provider) and the same maths fused in TypeScript (js/, faster on a CPU, same bytes
 * within 1). src/render/ prepares the inputs; nothing here knows about persons or garments.
 *
 * Texture: [TEX_CHANNELS, h, w] float32 planar: premultiplied R, G, B, one alpha per part
 * (main, left sleeve, right sleeve) and the garment's whole alpha.
 *
 * Mask channels (0..255, [h, w, MASK_CHANNELS] interleaved): 0 occluder (hair, face, hands,
 * the neck above the neckline...), 1 arm in front of the new garment's body, 2 the old garment
 * (taken off in the bare body; its photo luminance shades the new garment).
 *
 * The base under the new garment is the bare body (src/bare/): the photo with the old garment
 * taken off. The photo itself is read only for the old garment's luminance (the shading).
 */

export const MASK = { occluder: 0, armFront: 1, old: 2 } as const;
export const MASK_CHANNELS = 3;
export const TEX_CHANNELS = 7;

/** Shading: gain = clamp((local / mean) ^ gamma, lo, hi), gentle so old folds and prints cannot blotch. */
export const SHADE = { offset: 0.12, garmentGamma: 0.7, garmentLo: 0.75, garmentHi: 1.12 };

/** The garment texture over its bounding box (see TEX_CHANNELS). */
export interface CropTexture {
  data: Float32Array;
  width: number;
  height: number;
}

/** The fit's coarse inverse-warp grid: [9, rows, cols] (src/fit/warp.ts). */
export interface CropGrid {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Everything the pixel work of one pair needs, over a crop of `width` x `height`. */
export interface CropInputs {
  texture: CropTexture;
  grid: CropGrid;
  width: number;
  height: number;
  /** The photo crop, [h, w, 3] bytes (the old garment's luminance, for the shading). */
  photo: Uint8Array;
  /** The bare body's crop, [h, w, 3] bytes: the base the new garment goes over. */
  bare: Uint8Array;
  /** The per-pixel roles, [h, w, MASK_CHANNELS] bytes. */
  masks: Uint8Array;
  /** Mean luminance 0..1 of the old garment in the crop. */
  means: ArrayLike<number>;
  /** The shading's low-pass cell in pixels: a power of two 4..32. */
  pool: number;
  /** Only the image is wanted: the TypeScript engine skips the other outputs (they come back empty). */
  imageOnly: boolean;
}

/** The composite's outputs over the crop. */
export interface CropOutputs {
  /** [h, w, 3]. */
  image: Uint8Array;
  /** [h, w]: the new garment's coverage. */
  alpha: Uint8Array;
  /** [h, w]: old garment the new one leaves uncovered (the bare body shows there). */
  exposed: Uint8Array;
  /** [h, w, 3]: the new garment alone, premultiplied by its coverage. */
  warped: Uint8Array;
}

export interface RenderEngine {
  readonly name: 'js' | 'onnx';
  /**
   * Warp and composite of one crop; `lap('warp')` is called between the two. A synchronous
   * engine (the TypeScript one) answers directly, with views of its own buffers that are valid
   * until its next call: the caller copies them out before it awaits anything, or another pair
   * rendering on the same thread could overwrite them.
   */
  renderCrop(inputs: CropInputs, lap: (stage: string) => void): CropOutputs | Promise<CropOutputs>;
}
