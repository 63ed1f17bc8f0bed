/**
 * Times the render's warp stage two ways on a 768x1024 pair: the ONNX warp graph (what tryOn
 * runs) and the same maths in TypeScript (src/render/reference.ts), plus the whole tryOn per
 * stage. The faster path on CPU is the one to keep; see the README's "Fit and render".
 *
 *   npx tsx scripts/bench-render.ts [--runs 10] [--threads 2]
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { fitGarment, tryOn, warpSession } from '../src/render/tryon.ts';
import { warpGrid } from '../src/fit/warp.ts';
import { garmentTexture } from '../src/render/texture.ts';
import { TEX_CHANNELS } from '../src/render/graphs.ts';
import { warpLayers } from '../src/render/reference.ts';
import { flatGarment, stickPerson } from '../test/helpers/synthetic.ts';
import { graphRegistry } from '../test/helpers/graph-registry.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, threads: { type: 'string', default: '2' } } });
const runs = Number(values.runs);
const registry = graphRegistry(Number(values.threads));
const person = stickPerson({ width: 768, height: 1024 });
const garment = flatGarment({ width: 768, height: 1024, stripes: true, sleeve: 'long' });

const { plan, box } = fitGarment(person, garment);
const grid = warpGrid(plan, garment, box);
const tex = await garmentTexture(garment, plan);

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(1)} ms, min ${s[0].toFixed(1)} ms`;
}

const session = await warpSession(registry);
const feeds = {
  tex: new ort.Tensor('float32', tex.data, [1, TEX_CHANNELS, tex.height, tex.width]),
  grid: new ort.Tensor('float32', grid.data, [1, 9, grid.rows, grid.cols]),
  hw: new ort.Tensor('int64', BigInt64Array.from([BigInt(box.height), BigInt(box.width)]), [2]),
};
await session.run(feeds); // warm-up
const onnx: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  await session.run(feeds);
  onnx.push(performance.now() - t);
}
const ts: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  warpLayers(tex.data, tex.height, tex.width, grid.data, grid.rows, grid.cols, box.height, box.width);
  ts.push(performance.now() - t);
}
const stages: Record<string, number[]> = {};
await tryOn(person, garment, {}, registry);
for (let i = 0; i < runs; i++) {
  const r = await tryOn(person, garment, {}, registry);
  for (const [k, v] of Object.entries(r.timings)) (stages[k] ??= []).push(v);
}
process.stdout.write(
  `pair 768x1024, crop ${box.width}x${box.height}, texture ${tex.width}x${tex.height}, ${values.threads} threads, ${runs} runs\n` +
    `warp stage, ONNX graph:  ${stats(onnx)}\n` +
    `warp stage, TypeScript:  ${stats(ts)}\n` +
    Object.entries(stages).map(([k, v]) => `tryOn ${k.padEnd(10)} ${stats(v)}`).join('\n') +
    '\n',
);
await registry.release();
