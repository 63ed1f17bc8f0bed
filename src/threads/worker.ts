/**
 * A render worker thread (see pool.ts): holds the analyses the pool sends it, renders one pair
 * at a time with its own Renderer (whose RenderState mirrors, for its persons and garments,
 * what the main thread's would hold) and posts the result back, its pixels transferred, not
 * copied. The pool decides what the worker holds: it sends `forget` for what it drops.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { asTryonError } from '../errors.ts';
import type { GarmentAnalysis, PersonAnalysis, TryOnResult } from '../types.ts';
import type { FromWorker, ToWorker, WorkerEngine } from './pool.ts';
import { Renderer } from '../render/tryon.ts';
import { JsEngine } from '../engines/js/engine.ts';
import { BareDiskCache } from '../bare/cache.ts';

function transferables(r: TryOnResult): ArrayBuffer[] {
  const views = [r.image.data, r.layers?.garmentMask.data, r.layers?.warpedGarment.data, r.layers?.exposedSkin.data];
  return views.filter((v): v is Uint8Array => !!v && v.buffer instanceof ArrayBuffer).map((v) => v.buffer as ArrayBuffer);
}

class RenderWorker {
  private readonly persons = new Map<number, PersonAnalysis>();
  private readonly garments = new Map<number, GarmentAnalysis>();
  private renderer: Promise<Renderer> | null = null;
  /**
   * One pair at a time: a second render started while the first awaits its texture would only
   * hold two pairs' memory for no gain on a single thread.
   */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: MessagePort,
    private readonly engine: WorkerEngine,
    private readonly modelsDir?: string,
    private readonly cacheDir: string | null = null,
  ) {}

  listen(): void {
    this.port.on('message', (m: ToWorker) => this.receive(m));
  }

  private receive(m: ToWorker): void {
    if (m.type === 'memory') {
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      this.port.postMessage({ type: 'memory', job: m.job, memory: { heapUsed, external, arrayBuffers } } satisfies FromWorker);
      return;
    }
    if (m.type === 'forget') {
      this.chain = this.chain.then(() => this.forget(m.id));
      return;
    }
    this.chain = this.chain.then(async () => {
      const reply = await this.render(m);
      this.port.postMessage(reply, reply.type === 'result' ? transferables(reply.result) : []);
    });
  }

  private async forget(id: number): Promise<void> {
    const analysis = this.persons.get(id) ?? this.garments.get(id);
    this.persons.delete(id);
    this.garments.delete(id);
    if (analysis && this.renderer) (await this.renderer).forget(analysis);
  }

  /** The renderer, made on the first pair (the ONNX engine loads its registry then). */
  private getRenderer(): Promise<Renderer> {
    const store = this.cacheDir ? new BareDiskCache(this.cacheDir) : null;
    this.renderer ??=
      this.engine === 'onnx'
        ? (async () => {
            const modelsDir = this.modelsDir;
            if (!modelsDir) throw new Error('the onnx render engine needs modelsDir');
            const { createModelRegistry } = await import('../models/registry.ts');
            const { OnnxEngine } = await import('../engines/onnx/engine.ts');
            return new Renderer(new OnnxEngine(await createModelRegistry({ modelsDir, device: 'cpu', intraOpThreads: 1 })), {}, store);
          })()
        : Promise.resolve(new Renderer(new JsEngine(), {}, store));
    return this.renderer;
  }

  private async render(m: Extract<ToWorker, { type: 'render' }>): Promise<FromWorker> {
    try {
      if (m.person.value) this.persons.set(m.person.id, m.person.value);
      if (m.garment.value) this.garments.set(m.garment.id, m.garment.value);
      const person = this.persons.get(m.person.id);
      const garment = this.garments.get(m.garment.id);
      if (!person || !garment) throw new Error(`render worker does not hold analysis ${person ? m.garment.id : m.person.id}`);
      const result = await (await this.getRenderer()).render(person, garment, m.options);
      return { type: 'result', job: m.job, result };
    } catch (err) {
      const e = asTryonError(err);
      return { type: 'error', job: m.job, error: { code: e.code, message: e.message, input: e.input, suggestion: e.suggestion } };
    }
  }
}

const { engine, modelsDir, cacheDir } = workerData as { engine: WorkerEngine; modelsDir?: string; cacheDir?: string | null };
new RenderWorker(parentPort!, engine, modelsDir, cacheDir ?? null).listen();
