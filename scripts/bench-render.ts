/**
 * Times the render's two pixel stages two ways on a 768x1024 pair: the ONNX graphs (what tryOn
 * runs) and the TypeScript CPU path (src/engines/js/), warp and composite separately, plus the
 * old TypeScript warp reference (test/helpers/reference.ts) and the whole tryOn per stage. The
 * pair is a real one from ../shared/fixtures when it is there (a drawn one otherwise). The
 * faster path on CPU is the one to keep; see the README's "Fit and render".
 *
 *   npx tsx scripts/bench-render.ts [--runs 20] [--threads 1] [--pair model_5.png:00055_00]
 *
 * Medians of `runs` runs after a warm-up; --threads is onnxruntime's intra-op threads (the
 * CPU path is single-threaded: compare at --threads 1).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Tryon } from '../src/pipeline.ts';
import type { GarmentAnalysis, PersonAnalysis } from '../src/types.ts';
import { tryOn } from '../src/render/tryon.ts';
import { compositeSession, warpSession } from '../src/engines/onnx/engine.ts';
import { warpLayers } from '../test/helpers/reference.ts';
import { compositeCpu } from '../src/engines/js/composite.ts';
import { Scratch } from '../src/engines/js/scratch.ts';
import { warpCpu } from '../src/engines/js/warp.ts';
import { catalog, garmentPath, HAVE_SHARED, SHARED_FIXTURES } from '../test/fixtures.ts';
import { compositeFeeds, renderInputs, warpFeeds } from '../test/helpers/render-inputs.ts';
import { flatGarment, stickPerson } from '../test/helpers/synthetic.ts';
import { graphRegistry } from '../test/helpers/graph-registry.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    threads: { type: 'string', default: '1' },
    pair: { type: 'string', default: 'model_5.png:00055_00' },
  },
});
const runs = Number(values.runs);
const registry = graphRegistry(Number(values.threads));

async function pair(): Promise<{ name: string; person: PersonAnalysis; garment: GarmentAnalysis; close: () => Promise<void> }> {
  const [photo, id] = values.pair.split(':');
  const entry = catalog().find((c) => c.id === id);
  if (!HAVE_SHARED || !entry) {
    const person = stickPerson({ width: 768, height: 1024 });
    const garment = flatGarment({ width: 768, height: 1024, stripes: true, sleeve: 'long' });
    return { name: 'drawn stick person x striped long-sleeve', person, garment, close: async () => {} };
  }
  const tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1 });
  const person = await tryon.analysePerson(path.join(SHARED_FIXTURES, 'persons', photo));
  const garment = await tryon.analyseGarment(garmentPath(entry), { type: entry.type, category: entry.category, name: id });
  return { name: `${photo} x ${id}`, person, garment, close: () => tryon.close() };
}

function median(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `median ${median(ms).toFixed(1)} ms, min ${s[0].toFixed(1)} ms`;
}

async function time(f: () => unknown): Promise<number[]> {
  await f(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

const { name, person, garment, close } = await pair();
const r = await renderInputs(person, garment);
const { width: w, height: h } = r.box;

const warp = await warpSession(registry);
const composite = await compositeSession(registry, r.pool);
const layers = (await warp.run(warpFeeds(r))).layers.data as Float32Array;
const graphWarp = await time(() => warp.run(warpFeeds(r)));
// A fresh texture array each run, as in a batch (tryOn builds a texture per pair: its seams
// follow the fit), so no per-texture cache can flatter the CPU path.
const copies = Array.from({ length: runs + 1 }, () => r.tex.data.slice());
// One layers buffer (and below, one set of output buffers) reused, as a render worker would.
const into = new Float32Array(8 * w * h);
const cpuWarp = await time(() => warpCpu({ ...r.tex, data: copies.pop()! }, r.grid, h, w, into));
const graphComposite = await time(() => composite.run(compositeFeeds(r, layers)));
const outputs = { image: new Uint8Array(3 * w * h), alpha: new Uint8Array(w * h), exposed: new Uint8Array(w * h), warped: new Uint8Array(3 * w * h) };
const scratch = new Scratch(); // as an engine keeps one
const cpuComposite = await time(() => compositeCpu({ layers, photo: r.photo, bare: r.bare, masks: r.masks, means: r.means, width: w, height: h, pool: r.pool }, outputs, scratch));
const reference = await time(() => warpLayers(r.tex.data, r.tex.height, r.tex.width, r.grid.data, r.grid.rows, r.grid.cols, h, w));

const stages: Record<string, number[]> = {};
await tryOn(person, garment, {}, registry);
for (let i = 0; i < runs; i++) {
  const res = await tryOn(person, garment, {}, registry);
  for (const [k, v] of Object.entries(res.timings)) (stages[k] ??= []).push(v);
}
const speedup = (g: number[], c: number[]): string => `${(median(g) / median(c)).toFixed(1)}x`;
process.stdout.write(
  `pair ${name}, ${person.width}x${person.height}, crop ${w}x${h}, texture ${r.tex.width}x${r.tex.height}, pool ${r.pool}, ` +
    `onnxruntime ${values.threads} thread(s), ${runs} runs\n` +
    `warp,      ONNX graph:   ${stats(graphWarp)}\n` +
    `warp,      CPU path:     ${stats(cpuWarp)}  (${speedup(graphWarp, cpuWarp)} faster)\n` +
    `warp,      TS reference: ${stats(reference)}\n` +
    `composite, ONNX graph:   ${stats(graphComposite)}\n` +
    `composite, CPU path:     ${stats(cpuComposite)}  (${speedup(graphComposite, cpuComposite)} faster)\n` +
    `warp + composite: graphs ${(median(graphWarp) + median(graphComposite)).toFixed(1)} ms, CPU path ${(median(cpuWarp) + median(cpuComposite)).toFixed(1)} ms\n` +
    Object.entries(stages).map(([k, v]) => `tryOn ${k.padEnd(10)} ${stats(v)}`).join('\n') +
    '\n',
);
await registry.release();
await close();
