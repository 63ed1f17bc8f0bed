/**
 * The try-on of one pair: fit the garment to the body, warp it, composite it into the photo.
 *
 *   const renderer = new Renderer(new JsEngine());
 *   const result = await renderer.render(person, garment, { size: 'L' });
 *   result.image;  // RGB, same size as the person photo
 *
 * Stages (result.timings): 'bare' (the person's bare body for the garment's category: computed
 * on a person's first pair of that category, or read from the disk cache, then kept), 'fit'
 * (body targets, splines, the coarse inverse-warp grid, in TypeScript), 'texture' (the garment
 * texture for the fit's seams), 'masks' (the crop of the role planes), 'warp' and 'composite'
 * (the engine, src/engines/, then pasting the crop back). Only the crop around the garment's
 * place on the body and what the bare body changed is processed, so work scales with garment
 * area. A Renderer keeps what it derives from the analyses between pairs in its RenderState
 * (src/render/state.ts); `tryOn` renders one pair with a renderer of its own.
 *
 * Throws TryonError('BAD_OPTION') for a bad size, ('BAD_INPUT') when the analyses do not
 * belong to images of the sizes they claim.
 */
import { TryonError } from '../errors.ts';
import { invalid } from '../validate.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { Box, GarmentAnalysis, Mask, PersonAnalysis, RawImage, Size, TryOnResult } from '../types.ts';
import type { BareBody } from '../bare/index.ts';
import type { BareDiskCache } from '../bare/cache.ts';
import type { Body } from '../fit/body.ts';
import { sizeEase } from '../fit/sizes.ts';
import { planFit, type FitPlan } from '../fit/targets.ts';
import { warpBox, warpGrid } from '../fit/warp.ts';
import { MASK_CHANNELS, type CropInputs, type CropOutputs, type RenderEngine } from '../engines/contract.ts';
import { OnnxEngine } from '../engines/onnx/engine.ts';
import { foldCrop } from './fold-light.ts';
import { cropMasks } from './masks.ts';
import { PersonState, RenderState, RENDER_LIMITS } from './state.ts';
import { garmentTexture } from './texture.ts';

export interface TryOnOptions {
  /** Garment size: S, M, L, XL (ease around the body, see src/fit/sizes.ts). Default 'M'. */
  size?: Size;
  /**
   * Whether to return the debug layers (full-size garment mask, warped garment, exposed skin).
   * Default true; the batch runner and the server turn them off (three full-size copies a pair).
   */
  layers?: boolean;
}

/** The shading's low-pass cell: about a twentieth of the shoulder width, a power of two. */
export function poolFor(body: Body): number {
  const want = body.shoulderWidth / 20;
  return Math.min(32, Math.max(4, 2 ** Math.round(Math.log2(Math.max(want, 1)))));
}

function checkAnalyses(person: PersonAnalysis, garment: GarmentAnalysis): void {
  const img = person.image;
  if (!img || img.width !== person.width || img.height !== person.height || img.data.length < img.width * img.height * img.channels) {
    throw new TryonError('BAD_INPUT', 'person analysis: its image does not match its width and height', { input: 'person' });
  }
  if (person.parsing.width !== person.width || person.parsing.height !== person.height) {
    throw new TryonError('BAD_INPUT', 'person analysis: its parsing is not the size of the photo', { input: 'person' });
  }
  if (person.keypoints.length !== 33) {
    throw new TryonError('BAD_INPUT', `person analysis: expected 33 keypoints, got ${person.keypoints.length}`, { input: 'person' });
  }
  if (garment.mask.width !== garment.width || garment.mask.height !== garment.height || garment.image.width !== garment.width) {
    throw new TryonError('BAD_INPUT', 'garment analysis: its image and mask do not match its width and height', { input: 'garment' });
  }
}

function crop(img: RawImage, box: Box): Uint8Array {
  const out = new Uint8Array(box.width * box.height * 3);
  const ch = img.channels;
  if (ch === 3) {
    for (let y = 0; y < box.height; y++) {
      const from = ((box.y + y) * img.width + box.x) * 3;
      out.set(img.data.subarray(from, from + box.width * 3), y * box.width * 3);
    }
    return out;
  }
  for (let y = 0; y < box.height; y++) {
    const row = (box.y + y) * img.width;
    for (let x = 0; x < box.width; x++) {
      const s = (row + box.x + x) * ch;
      const d = (y * box.width + x) * 3;
      out[d] = img.data[s];
      out[d + 1] = img.data[s + (ch > 1 ? 1 : 0)];
      out[d + 2] = img.data[s + (ch > 2 ? 2 : 0)];
    }
  }
  return out;
}

/** Copies a [h, w, c] crop into a full-size buffer (of `c` channels) at `box`. */
function paste(dst: Uint8Array, width: number, c: number, src: Uint8Array, box: Box): void {
  for (let y = 0; y < box.height; y++) {
    const d = ((box.y + y) * width + box.x) * c;
    dst.set(src.subarray(y * box.width * c, (y + 1) * box.width * c), d);
  }
}

/** The bare body's pixels over a crop: the layer inside its box, the photo beyond it. */
function bareCrop(person: PersonAnalysis, bare: BareBody, box: Box): Uint8Array {
  const out = crop(person.image, box);
  const b = bare.box;
  const x0 = Math.max(box.x, b.x);
  const x1 = Math.min(box.x + box.width, b.x + b.width);
  if (x1 <= x0) return out;
  for (let y = Math.max(box.y, b.y); y < Math.min(box.y + box.height, b.y + b.height); y++) {
    const from = ((y - b.y) * b.width + (x0 - b.x)) * 3;
    out.set(bare.image.subarray(from, from + (x1 - x0) * 3), ((y - box.y) * box.width + (x0 - box.x)) * 3);
  }
  return out;
}

export interface FitResult {
  body: Body;
  plan: FitPlan;
  box: Box;
}

/**
 * The fit alone (no pixels): the body's targets, the plan and the crop it touches (with what
 * the bare body changed, `changed`, which the render must repaint).
 */
export function fitGarment(state: PersonState, garment: GarmentAnalysis, size: Size = 'M', changed?: Box): FitResult {
  const { body, person } = state;
  const plan = planFit(body, garment, sizeEase(size));
  const box = warpBox(plan, garment, person.width, person.height, changed ? [changed] : []);
  return { body, plan, box };
}

function checkOptions(options: TryOnOptions): Size {
  if (options === null || typeof options !== 'object') throw new TryonError('BAD_OPTION', 'Expected object for options but received ' + String(options), { input: 'options' });
  const size = options.size ?? 'M';
  sizeEase(size, 'size'); // validates
  if (options.layers !== undefined && typeof options.layers !== 'boolean') throw invalid('layers', 'boolean', options.layers);
  return size;
}

/** The photo with the crop's outputs pasted in, and the full-size layers unless `layers` is false. */
function assemble(person: PersonAnalysis, box: Box, out: CropOutputs, layers: boolean, timings: Record<string, number>): TryOnResult {
  const { width, height } = person;
  const image = new Uint8Array(width * height * 3);
  if (person.image.channels === 3) image.set(person.image.data.subarray(0, width * height * 3));
  else paste(image, width, 3, crop(person.image, { x: 0, y: 0, width, height }), { x: 0, y: 0, width, height });
  paste(image, width, 3, out.image, box);
  const result: TryOnResult = { image: { data: image, width, height, channels: 3 }, timings };
  if (layers) {
    const full = (src: Uint8Array): Mask => {
      const data = new Uint8Array(width * height);
      paste(data, width, 1, src, box);
      return { data, width, height };
    };
    const warped = new Uint8Array(width * height * 3);
    paste(warped, width, 3, out.warped, box);
    result.layers = { garmentMask: full(out.alpha), warpedGarment: { data: warped, width, height, channels: 3 }, exposedSkin: full(out.exposed) };
  }
  return result;
}

/** Renders pairs on one thread with one engine, keeping what it derives from the analyses in its state. */
export class Renderer {
  readonly engine: RenderEngine;
  readonly state: RenderState;

  /** @param store where bare bodies are kept between runs (null: computed afresh in each process) */
  constructor(engine: RenderEngine, limits: Partial<typeof RENDER_LIMITS> = {}, store: BareDiskCache | null = null) {
    this.engine = engine;
    this.state = new RenderState(limits, store);
  }

  /** Dresses the person in the garment. */
  async render(person: PersonAnalysis, garment: GarmentAnalysis, options: TryOnOptions = {}): Promise<TryOnResult> {
    const size = checkOptions(options);
    checkAnalyses(person, garment);
    const timings: Record<string, number> = {};
    let t = performance.now();
    // A stage timed in two parts adds up (the fit's grid waits for the texture's window).
    const lap = (name: string): void => {
      const now = performance.now();
      timings[name] = Math.round(((timings[name] ?? 0) + now - t) * 10) / 10;
      t = now;
    };

    const state = this.state.person(person);
    const bare = await state.bare(garment.category);
    const roles = await state.roles(garment.category);
    const light = await state.foldLight(garment.category);
    lap('bare');
    const { body, plan, box } = fitGarment(state, garment, size, bare.changed);
    lap('fit');
    const tex = await garmentTexture(garment, plan, this.state.textures);
    lap('texture');
    const grid = warpGrid(plan, garment, box, tex.window);
    lap('fit');

    const necks = plan.main.filter((c) => c.name.startsWith('neckline_'));
    const neckY = necks.length ? necks.reduce((a, c) => a + c.body.y, 0) / necks.length + 0.04 * body.shoulderWidth : Infinity;
    const photo = foldCrop(person, bare, light, box);
    const masks = cropMasks(roles, { data: photo, width: box.width, height: box.height, channels: 3 }, box, neckY, this.state.maskBuffer(box.width * box.height * MASK_CHANNELS), box);
    const inputs: CropInputs = {
      texture: tex,
      grid,
      width: box.width,
      height: box.height,
      photo,
      bare: bareCrop(person, bare, box),
      masks: masks.data,
      means: masks.means,
      pool: poolFor(body),
      imageOnly: options.layers === false,
    };
    lap('masks');
    // (Not awaited when the engine answers at once: its outputs are its buffers, see RenderEngine.)
    const answer = this.engine.renderCrop(inputs, lap);
    const out = answer instanceof Promise ? await answer : answer;
    const result = assemble(person, box, out, options.layers !== false, timings);
    lap('composite');
    return result;
  }

  /** Drops what this renderer derived from an analysis. */
  forget(analysis: object): void {
    this.state.forget(analysis);
  }
}

/**
 * Dresses the person in the garment with a renderer of its own (nothing kept for later pairs).
 * @param engine where the pixel work runs (src/engines/); a model registry means its ONNX graphs.
 */
export function tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: TryOnOptions, engine: RenderEngine | ModelRegistry): Promise<TryOnResult> {
  return new Renderer('renderCrop' in engine ? engine : new OnnxEngine(engine)).render(person, garment, options);
}
