/**
 * The one config tree. Every field has a documented default; user options are merged over
 * it and validated, and unknown keys are reported with their path.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TryonError } from './errors.ts';
import { integerIn, invalid, is, oneOf } from './validate.ts';

export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];

/** Where the per-pair pixel work runs: auto = TypeScript on a CPU provider, the ONNX graphs on a GPU. */
export const RENDER_ENGINES = ['auto', 'js', 'onnx'] as const;
export type RenderEngineName = (typeof RENDER_ENGINES)[number];

export const LANDMARK_MODELS = ['lite', 'full', 'heavy'] as const;
export type LandmarkModel = (typeof LANDMARK_MODELS)[number];

export interface TryonConfig {
  /** Execution provider: auto = CUDA when installed and working, else CPU. Default 'auto'. */
  device: Device;
  /** Folder holding the ONNX models and manifest.json. Default: the package's models/. */
  modelsDir: string;
  /** Pairs (or requests) in flight at once. Default: the core count. */
  concurrency: number;
  /** Persistent analysis cache folder; null turns it off. Default: $XDG_CACHE_HOME/tryon or ~/.cache/tryon. */
  cacheDir: string | null;
  person: {
    /** Refuse person photos with more pixels than this. Default 40 000 000. */
    maxPixels: number;
    /** BlazePose landmark model. Default 'full'. */
    landmarkModel: LandmarkModel;
    /**
     * Longest side a person photo is analysed and rendered at: a larger photo (a 24 MP camera
     * shot) is downscaled to it first, with a warning, and its try-on comes out at that size.
     * Default 2560 (4.9 MP at 3:4; the bare body and the render cost grow with the pixels).
     */
    maxSide: number;
  };
  garment: {
    /** Refuse garment photos with more pixels than this. Default 40 000 000. */
    maxPixels: number;
  };
  /**
   * The pipeline's in-memory analysis caches (same photo, same analysis), bounded by the bytes
   * of the analyses' pixel planes as well as by count (32 persons, 256 garments); the least
   * recently used is dropped first, and an analysis over the whole budget is not kept. A person
   * analysis of a 768x1024 photo is ~4.7 MB, a garment template ~3.1 MB. The render workers
   * drop what these caches drop.
   */
  memoryCache: {
    /** Bytes of person analyses kept. Default 192 MB. */
    personBytes: number;
    /** Bytes of garment analyses (photos and templates) kept. Default 160 MB. */
    garmentBytes: number;
  };
  render: {
    /**
     * 'js': the render maths fused in TypeScript (src/engines/js/), faster on a CPU; 'onnx': the
     * render graphs on the models' execution provider; 'auto' (default): 'onnx' on a GPU, else 'js'.
     */
    engine: RenderEngineName;
    /**
     * Render worker threads when rendering on the CPU (0: render on the calling thread).
     * Default: the core count. Ignored on a GPU, where the graphs run on the device.
     */
    threads: number;
  };
}

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'tryon');
}

export function defaultConfig(): TryonConfig {
  return {
    device: 'auto',
    modelsDir: path.join(PACKAGE_ROOT, 'models'),
    concurrency: Math.max(1, os.availableParallelism()),
    cacheDir: defaultCacheDir(),
    person: { maxPixels: 40_000_000, landmarkModel: 'full', maxSide: 2560 },
    garment: { maxPixels: 40_000_000 },
    memoryCache: { personBytes: 192 * 1024 * 1024, garmentBytes: 160 * 1024 * 1024 },
    render: { engine: 'auto', threads: Math.max(1, os.availableParallelism()) },
  };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, prefix: string): void {
  for (const [key, value] of Object.entries(source)) {
    const where = prefix ? `${prefix}.${key}` : key;
    if (!(key in target)) {
      throw new TryonError('BAD_OPTION', `Unknown option ${where}; known: ${Object.keys(target).map((k) => (prefix ? `${prefix}.${k}` : k)).join(', ')}`, { input: where });
    }
    if (value === undefined) continue;
    const current = target[key];
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      if (value === null || typeof value !== 'object') throw invalid(where, 'object', value);
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>, where);
    } else {
      target[key] = value;
    }
  }
}

/** Merges `options` over the defaults and validates every field. */
export function resolveConfig(options: DeepPartial<TryonConfig> = {}): TryonConfig {
  const config = defaultConfig();
  mergeInto(config as unknown as Record<string, unknown>, options as Record<string, unknown>, '');
  oneOf('device', config.device, DEVICES);
  if (!is.string(config.modelsDir)) throw invalid('modelsDir', 'path string', config.modelsDir);
  integerIn('concurrency', config.concurrency, 1, 256);
  if (config.cacheDir !== null && !is.string(config.cacheDir)) throw invalid('cacheDir', 'path string or null', config.cacheDir);
  integerIn('person.maxPixels', config.person.maxPixels, 1, 1_000_000_000);
  oneOf('person.landmarkModel', config.person.landmarkModel, LANDMARK_MODELS);
  integerIn('person.maxSide', config.person.maxSide, 256, 65_536);
  integerIn('garment.maxPixels', config.garment.maxPixels, 1, 1_000_000_000);
  integerIn('memoryCache.personBytes', config.memoryCache.personBytes, 0, 2 ** 40);
  integerIn('memoryCache.garmentBytes', config.memoryCache.garmentBytes, 0, 2 ** 40);
  oneOf('render.engine', config.render.engine, RENDER_ENGINES);
  integerIn('render.threads', config.render.threads, 0, 256);
  return config;
}
