/**
 * A render worker thread (see pool.ts): holds the analyses the pool sends it, renders one pair
 * at a time and posts the result back, its pixels transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { asTryonError } from '../errors.ts';
import type { GarmentAnalysis, PersonAnalysis, TryOnResult } from '../types.ts';
import type { FromWorker, ToWorker, WorkerEngine } from './pool.ts';
import { tryOn } from '../render/tryon.ts';
import type { RenderEngine } from '../engines/contract.ts';
import { JsEngine } from '../engines/js/engine.ts';

const port = parentPort!;
const { engine: kind, modelsDir } = workerData as { engine: WorkerEngine; modelsDir?: string };
const persons = new Map<number, PersonAnalysis>();
const garments = new Map<number, GarmentAnalysis>();

let engine: Promise<RenderEngine> | null = null;
function getEngine(): Promise<RenderEngine> {
  engine ??=
    kind === 'onnx'
      ? (async () => {
          if (!modelsDir) throw new Error('the onnx render engine needs modelsDir');
          const { createModelRegistry } = await import('../models/registry.ts');
          const { OnnxEngine } = await import('../engines/onnx/engine.ts');
          return new OnnxEngine(await createModelRegistry({ modelsDir, device: 'cpu', intraOpThreads: 1 }));
        })()
      : Promise.resolve(new JsEngine());
  return engine;
}

function transferables(r: TryOnResult): ArrayBuffer[] {
  const views = [r.image.data, r.layers?.garmentMask.data, r.layers?.warpedGarment.data, r.layers?.exposedSkin.data];
  return views.filter((v): v is Uint8Array => !!v && v.buffer instanceof ArrayBuffer).map((v) => v.buffer as ArrayBuffer);
}

async function render(m: Extract<ToWorker, { type: 'render' }>): Promise<FromWorker> {
  try {
    if (m.person.value) persons.set(m.person.id, m.person.value);
    if (m.garment.value) garments.set(m.garment.id, m.garment.value);
    const person = persons.get(m.person.id);
    const garment = garments.get(m.garment.id);
    if (!person || !garment) throw new Error(`render worker does not hold analysis ${person ? m.garment.id : m.person.id}`);
    const result = await tryOn(person, garment, m.options, await getEngine());
    return { type: 'result', job: m.job, result };
  } catch (err) {
    const e = asTryonError(err);
    return { type: 'error', job: m.job, error: { code: e.code, message: e.message, input: e.input, suggestion: e.suggestion } };
  }
}

// One pair at a time: a second render started while the first awaits its texture would only
// hold two pairs' memory for no gain on a single thread.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: ToWorker) => {
  if (m.type === 'memory') {
    const { heapUsed, external, arrayBuffers } = process.memoryUsage();
    port.postMessage({ type: 'memory', job: m.job, memory: { heapUsed, external, arrayBuffers } } satisfies FromWorker);
    return;
  }
  if (m.type === 'forget') {
    chain = chain.then(() => {
      persons.delete(m.id);
      garments.delete(m.id);
    });
    return;
  }
  chain = chain.then(async () => {
    const reply = await render(m);
    port.postMessage(reply, reply.type === 'result' ? transferables(reply.result) : []);
  });
});
