/**
 * The pipeline, in the order a pair goes through it, one folder per stage:
 *
 *   person photo  -> person/   pose, mask, parsing, skin        (models/: BlazePose)  PersonAnalysis
 *                 -> (bare/    the person without the old garment, per category: next, kept in PersonState)
 *   garment photo -> garment/  mask, landmarks, colour (or a built-in template)       GarmentAnalysis
 *   both          -> fit/      body targets, thin-plate splines, the warp grid        FitPlan
 *                 -> render/   texture, per-pixel roles, the engine, the photo back   TryOnResult
 *                              (engines/: ONNX graphs or TypeScript; threads/: render workers)
 *
 * Tryon is the library's facade over it: one object that owns the model registry, the thread
 * budget, the analysis caches (32 persons, 256 garments in memory, least recently used dropped
 * first; persons also on disk) and where pairs render: its own Renderer (src/render/tryon.ts,
 * whose RenderState holds what the render derives per person and garment) or a pool of render
 * worker threads, each with its own. `forget` drops an analysis and all derived from it. So
 * per-person and per-garment work is done once however many pairs use it. The CLI commands,
 * the batch runner and the server all go through it.
 */
import { resolveConfig, type DeepPartial, type TryonConfig } from './config.ts';
import { PromiseCache, sha256 } from './analysis-cache.ts';
import { budgetThreads, applySharpBudget, type ThreadBudget } from './threads/budget.ts';
import { createModelRegistry, type ModelRegistry } from './models/registry.ts';
import { analysePerson } from './person/analyse.ts';
import { postureWarnings } from './person/posture.ts';
import { PersonDiskCache } from './person/cache.ts';
import { bareBody as makeBareBody, type BareBody } from './bare/index.ts';
import { BareDiskCache } from './bare/cache.ts';
import { garmentFromPhoto, resolveSource, type GarmentPhotoOptions } from './garment/worn/source.ts';
import { renderTemplate } from './garment/templates.ts';
import { Renderer, type TryOnOptions } from './render/tryon.ts';
import { JsEngine } from './engines/js/engine.ts';
import { OnnxEngine } from './engines/onnx/engine.ts';
import { RenderPool } from './threads/pool.ts';
import { readInput } from './image/decode.ts';
import { oneOf } from './validate.ts';
import { GARMENT_CATEGORIES, type GarmentAnalysis, type GarmentCategory, type GarmentType, type PersonAnalysis, type TryOnResult } from './types.ts';

export { sha256 } from './analysis-cache.ts';

/**
 * Part of every person cache key: bump it whenever analysePerson's output changes for the same
 * photo, so a disk cache written by an older version is not served.
 */
export const PERSON_ANALYSIS_VERSION = 5;

export interface TryonOptions extends DeepPartial<TryonConfig> {}

export class Tryon {
  readonly config: TryonConfig;
  readonly budget: ThreadBudget;
  readonly registry: ModelRegistry;
  private persons: PromiseCache<PersonAnalysis>;
  private garments: PromiseCache<GarmentAnalysis>;
  private disk: PersonDiskCache | null;
  /** Bare bodies on disk (the render workers keep their own handle on the same folder). */
  private bareStore: BareDiskCache | null;
  /** Where pairs render: in worker threads (pool), or else on this thread (local). */
  private pool: RenderPool | null;
  private local: Renderer | null;

  private constructor(config: TryonConfig, registry: ModelRegistry, budget: ThreadBudget) {
    this.config = config;
    this.registry = registry;
    this.budget = budget;
    const onGpu = registry.provider !== 'cpu';
    const engine = config.render.engine === 'auto' ? (onGpu ? 'onnx' : 'js') : config.render.engine;
    // Worker threads only on the CPU: a GPU does the pixel work itself, from one thread.
    this.pool = !onGpu && config.render.threads > 0 ? new RenderPool({ threads: config.render.threads, engine: engine === 'js' ? 'js' : 'onnx', modelsDir: config.modelsDir, cacheDir: config.cacheDir }) : null;
    this.bareStore = config.cacheDir ? new BareDiskCache(config.cacheDir) : null;
    this.local = this.pool ? null : new Renderer(engine === 'js' ? new JsEngine() : new OnnxEngine(registry), {}, this.bareStore);
    // What the caches drop, the renderers drop too (they hold what they derived from it).
    const drop = (analysis: object): void => {
      this.pool?.forget(analysis);
      this.local?.forget(analysis as { key: string });
    };
    this.persons = new PromiseCache<PersonAnalysis>(32, config.memoryCache.personBytes, drop);
    this.garments = new PromiseCache<GarmentAnalysis>(256, config.memoryCache.garmentBytes, drop);
    this.disk = config.cacheDir ? new PersonDiskCache(config.cacheDir) : null;
  }

  static async create(options: TryonOptions = {}): Promise<Tryon> {
    const config = resolveConfig(options);
    const budget = budgetThreads(config.concurrency);
    applySharpBudget(budget);
    const registry = await createModelRegistry({ modelsDir: config.modelsDir, device: config.device, intraOpThreads: budget.intraOp });
    return new Tryon(config, registry, budget);
  }

  // ---- person/

  /** Analyses a person photo once; later calls with the same bytes hit the memory or disk cache. */
  async analysePerson(input: Buffer | Uint8Array | string, name = typeof input === 'string' ? input : 'person image'): Promise<PersonAnalysis> {
    const bytes = await readInput(input, name);
    const key = sha256(bytes, JSON.stringify({ ...this.config.person, analysis: PERSON_ANALYSIS_VERSION }));
    return this.persons.get(key, async () => {
      const cached = this.disk ? await this.disk.get(key) : null;
      if (cached) return cached;
      const analysis = await analysePerson(bytes, this.registry, { ...this.config.person, name, key });
      if (this.disk) await this.disk.set(key, analysis);
      return analysis;
    });
  }

  // ---- bare/

  /**
   * The person without the old garment of a category (src/bare/): what every render of the
   * person in a garment of that category is composited over. Renders compute it themselves
   * (in the render threads, once per person and category); this call is for looking at it
   * (`tryon inspect --bare`), computed on this thread, or read from the disk cache.
   */
  async bareBody(person: PersonAnalysis, category: GarmentCategory): Promise<BareBody> {
    oneOf('category', category, GARMENT_CATEGORIES);
    const cached = this.bareStore ? await this.bareStore.get(person.key, category) : null;
    if (cached) return cached;
    const bare = makeBareBody(person, category);
    if (this.bareStore) await this.bareStore.set(person.key, bare).catch(() => undefined);
    return bare;
  }

  // ---- garment/

  /**
   * Analyses a garment photo once per bytes + options: a product photo, or a photo of someone
   * wearing the garment (`source`: 'photo', 'worn', or 'auto', the default: decided by the
   * person detector, src/garment/worn/detect.ts). A worn garment's wearer is analysed through
   * analysePerson, so a photo used as person and as garment is analysed once.
   */
  async analyseGarment(input: Buffer | Uint8Array | string, options: GarmentPhotoOptions): Promise<GarmentAnalysis> {
    const name = options.name ?? (typeof input === 'string' ? input : 'garment image');
    const source = resolveSource(options.source);
    const bytes = await readInput(input, name);
    const key = sha256(bytes, JSON.stringify({ ...options, source, name: undefined, maxPixels: this.config.garment.maxPixels }));
    const deps = { registry: this.registry, analysePerson: (b: Buffer, n: string) => this.analysePerson(b, n) };
    return this.garments.get(key, () => garmentFromPhoto(bytes, { maxPixels: this.config.garment.maxPixels, ...options, source, name, key }, deps));
  }

  /** The built-in garment of a type in a colour (hex). */
  async template(type: GarmentType, color: string): Promise<GarmentAnalysis> {
    const key = sha256('template', type, color.toLowerCase());
    return this.garments.get(key, async () => renderTemplate(type, color));
  }

  // ---- fit/ and render/

  /** Fits and renders a pair: in a render worker thread when there are any (config.render.threads). */
  async tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: TryOnOptions = {}): Promise<TryOnResult> {
    const result = await (this.pool ? this.pool.tryOn(person, garment, options) : this.local!.render(person, garment, options));
    return { ...result, warnings: [...person.warnings, ...postureWarnings(person.posture, garment.category), ...garment.warnings] };
  }

  // ---- where pairs render, memory

  /**
   * Pairs that can render at once off the calling thread: three per render thread (two queued,
   * so a worker has work while this thread analyses and its persons' pairs can wait their turn
   * on it), 0 without.
   */
  get renderSlots(): number {
    return this.pool ? 3 * this.pool.threads : 0;
  }

  /** The render worker threads' own heaps and buffers, in bytes (none without workers). */
  renderMemory(): Promise<{ heapUsed: number; external: number; arrayBuffers: number }[]> {
    return this.pool ? this.pool.memory() : Promise.resolve([]);
  }

  /** Bytes of the analyses in the memory caches (bounded by config.memoryCache). */
  get cachedBytes(): { persons: number; garments: number } {
    return { persons: this.persons.totalBytes, garments: this.garments.totalBytes };
  }

  /** Whether pairs render through ONNX graphs (whose arenas grow; see the batch runner's renew). */
  get rendersWithOnnx(): boolean {
    return this.renderer.engine === 'onnx';
  }

  /** Where pairs render, for reports: engine and threads. */
  get renderer(): { engine: 'js' | 'onnx'; threads: number } {
    return { engine: this.pool ? this.pool.engine : this.local!.engine.name, threads: this.pool?.threads ?? 0 };
  }

  /**
   * Drops an analysis from the memory caches (the disk cache keeps it). The batch runner calls
   * it when it is done with a person or a garment, so that memory follows its budget and not
   * the size of the catalog.
   */
  forget(analysis: { key: string }): void {
    this.persons.delete(analysis.key);
    this.garments.delete(analysis.key);
    this.pool?.forget(analysis);
    this.local?.forget(analysis);
  }

  /** Drops a template from the memory cache (its analysis' key is not its cache key). */
  forgetTemplate(type: GarmentType, color: string): void {
    this.garments.delete(sha256('template', type, color.toLowerCase()));
  }

  async close(): Promise<void> {
    await this.pool?.close();
    await this.registry.release();
  }
}
