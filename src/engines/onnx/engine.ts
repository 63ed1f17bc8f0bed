/**
 * The ONNX engine: the two render graphs (graphs.ts) run through the model registry, so on the
 * same execution provider as the models (on a GPU, the device does the pixel work).
 */
import * as ort from 'onnxruntime-node';
import type { ModelRegistry } from '../../models/registry.ts';
import { MASK_CHANNELS, TEX_CHANNELS, type CropInputs, type CropOutputs, type RenderEngine } from '../contract.ts';
import { buildCompositeGraph, buildWarpGraph } from './graphs.ts';

/** The warp graph's session (built and loaded on first use, then cached by the registry). */
export function warpSession(registry: ModelRegistry): Promise<ort.InferenceSession> {
  return registry.sessionFromBytes('render-warp-v1', buildWarpGraph);
}

/** The composite graph's session for a shading pool size. */
export function compositeSession(registry: ModelRegistry, pool: number): Promise<ort.InferenceSession> {
  return registry.sessionFromBytes(`render-composite-v3-p${pool}`, () => buildCompositeGraph(pool));
}

export class OnnxEngine implements RenderEngine {
  readonly name = 'onnx';
  constructor(readonly registry: ModelRegistry) {}

  async renderCrop(c: CropInputs, lap: (stage: string) => void): Promise<CropOutputs> {
    const { texture: tex, grid } = c;
    const warp = await warpSession(this.registry);
    const { layers } = await warp.run({
      tex: new ort.Tensor('float32', tex.data, [1, TEX_CHANNELS, tex.height, tex.width]),
      grid: new ort.Tensor('float32', grid.data, [1, 9, grid.rows, grid.cols]),
      hw: new ort.Tensor('int64', BigInt64Array.from([BigInt(c.height), BigInt(c.width)]), [2]),
    });
    lap('warp');
    const composite = await compositeSession(this.registry, c.pool);
    const res = await composite.run({
      layers,
      photo: new ort.Tensor('uint8', c.photo, [1, c.height, c.width, 3]),
      bare: new ort.Tensor('uint8', c.bare, [1, c.height, c.width, 3]),
      masks: new ort.Tensor('uint8', c.masks, [1, c.height, c.width, MASK_CHANNELS]),
      means: new ort.Tensor('float32', Float32Array.from([c.means[0]]), [1, 1, 1, 1]),
    });
    layers.dispose?.();
    return { image: res.image.data as Uint8Array, alpha: res.alpha.data as Uint8Array, exposed: res.exposed.data as Uint8Array, warped: res.warped.data as Uint8Array };
  }
}
