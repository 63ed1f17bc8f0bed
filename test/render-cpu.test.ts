/**
 * The TypeScript render path (src/engines/js/) against the ONNX render graphs it reproduces:
 * on drawn pairs (crop sizes odd and not multiples of the pool, sleeves on and off, pools 4 to
 * 32), on random inputs at awkward sizes (1 px wide, smaller than a pool cell), and on real
 * person x garment pairs when the shared photographs are there. Every byte output within 2
 * of the graph's and on average within 0.05; the warp's layers within 1e-3.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { TryonError } from '../src/errors.ts';
import { Tryon } from '../src/pipeline.ts';
import type { GarmentAnalysis, PersonAnalysis } from '../src/types.ts';
import { MASK_CHANNELS, TEX_CHANNELS } from '../src/engines/contract.ts';
import { buildCompositeGraph, buildWarpGraph } from '../src/engines/onnx/graphs.ts';
import { compositeCpu, type CompositeOutput } from '../src/engines/js/composite.ts';
import { warpCpu } from '../src/engines/js/warp.ts';
import { catalog, garmentPath, HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';
import { graphRegistry } from './helpers/graph-registry.ts';
import { diffStats, renderCpu, renderGraphs, renderInputs, type RenderOutputs } from './helpers/render-inputs.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';

const registry = graphRegistry();
afterAll(() => registry.release());

const OUTPUTS = ['image', 'alpha', 'exposed', 'warped'] as const;

/** Asserts the parity bounds; `where` names the case in failure messages. */
function expectClose(graph: RenderOutputs, cpu: RenderOutputs, where: string, layersToo = true): void {
  if (layersToo) expect(diffStats(graph.layers, cpu.layers).max, `${where}: layers`).toBeLessThanOrEqual(1e-3);
  for (const k of OUTPUTS) {
    const d = diffStats(graph.composite[k], cpu.composite[k]);
    expect(d.max, `${where}: ${k} max`).toBeLessThanOrEqual(2);
    expect(d.mean, `${where}: ${k} mean`).toBeLessThan(0.05);
  }
}

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

describe('CPU render path vs the graphs on drawn pairs', () => {
  const cases = [
    { name: 'short sleeves, pool 4', person: {}, garment: { sleeve: 'short' as const }, pool: 4 },
    { name: 'long striped sleeves, raised arm, odd size, pool 8', person: { width: 241, height: 317, raiseLeftArm: true }, garment: { sleeve: 'long' as const, stripes: true }, pool: 8 },
    { name: 'tank, arm across, pool 16', person: { width: 203, height: 299, armAcross: true }, garment: { sleeve: 'none' as const, color: [30, 30, 30] as [number, number, number] }, pool: 16 },
    { name: 'dress, pool 32', person: { width: 251, height: 333, broad: 6 }, garment: { category: 'dress' as const, stripes: true }, pool: 32 },
    { name: 'trousers, pool 8', person: { width: 227, height: 305 }, garment: { category: 'lower' as const }, pool: 8 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await renderInputs(stickPerson(c.person), flatGarment(c.garment), c.pool);
      const graph = await renderGraphs(registry, r);
      // The composite alone (fed the graph's layers), then the whole CPU chain.
      expectClose(graph, renderCpu(r, graph.layers), c.name);
      expectClose(graph, renderCpu(r), `${c.name} (CPU warp)`);
      // Not vacuous: the garment was drawn.
      expect(sum(graph.composite.alpha)).toBeGreaterThan(255 * 100);
    });
  }
});

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

describe('CPU render path vs the graphs on random inputs at awkward sizes', () => {
  const sizes = [
    { h: 37, w: 53, pool: 16, gr: 5, gc: 7, th: 19, tw: 23 },
    { h: 5, w: 3, pool: 32, gr: 2, gc: 2, th: 8, tw: 8 },
    { h: 1, w: 9, pool: 4, gr: 1, gc: 3, th: 4, tw: 6 },
    { h: 66, w: 41, pool: 4, gr: 9, gc: 6, th: 30, tw: 17 },
  ];
  for (const s of sizes) {
    it(`${s.w}x${s.h}, pool ${s.pool}`, async () => {
      const rand = rng(s.h * 1000 + s.w);
      const tn = s.th * s.tw;
      const tex = new Float32Array(TEX_CHANNELS * tn);
      for (let i = 0; i < tn; i++) {
        const parts = [rand(), rand(), rand()].map((v) => (v > 0.5 ? v : 0));
        const a = Math.min(1, parts[0] + parts[1] + parts[2]);
        for (let c = 0; c < 3; c++) tex[c * tn + i] = rand() * a;
        for (let m = 0; m < 3; m++) tex[(3 + m) * tn + i] = parts[m] * (a > 0 ? a / (parts[0] + parts[1] + parts[2]) : 0);
        tex[6 * tn + i] = a;
      }
      const gn = s.gr * s.gc;
      const grid = new Float32Array(9 * gn);
      // Coordinates partly outside -1..1 (zero padding) and allowances below 0 and above 1 (clipped).
      for (let i = 0; i < 9 * gn; i++) grid[i] = (Math.floor(i / gn) % 3 === 2 ? -0.3 + 1.6 * rand() : -1.3 + 2.6 * rand());
      const n = s.h * s.w;
      const photo = Uint8Array.from({ length: 3 * n }, () => Math.floor(rand() * 256));
      const masks = Uint8Array.from({ length: MASK_CHANNELS * n }, () => (rand() < 0.5 ? 0 : rand() < 0.5 ? 255 : Math.floor(rand() * 256)));
      const bare = Uint8Array.from({ length: 3 * n }, () => Math.floor(rand() * 256));
      const means = [0.45];

      const warp = await registry.sessionFromBytes('cpu-test-warp', buildWarpGraph());
      const layers = (
        await warp.run({
          tex: new ort.Tensor('float32', tex, [1, TEX_CHANNELS, s.th, s.tw]),
          grid: new ort.Tensor('float32', grid, [1, 9, s.gr, s.gc]),
          hw: new ort.Tensor('int64', BigInt64Array.from([BigInt(s.h), BigInt(s.w)]), [2]),
        })
      ).layers.data as Float32Array;
      const composite = await registry.sessionFromBytes(`cpu-test-composite-${s.pool}`, buildCompositeGraph(s.pool));
      const out = await composite.run({
        layers: new ort.Tensor('float32', layers, [1, 8, s.h, s.w]),
        photo: new ort.Tensor('uint8', photo, [1, s.h, s.w, 3]),
        bare: new ort.Tensor('uint8', bare, [1, s.h, s.w, 3]),
        masks: new ort.Tensor('uint8', masks, [1, s.h, s.w, MASK_CHANNELS]),
        means: new ort.Tensor('float32', Float32Array.from(means), [1, 1, 1, 1]),
      });
      const graph: RenderOutputs = {
        layers,
        composite: Object.fromEntries(OUTPUTS.map((k) => [k, out[k].data as Uint8Array])) as unknown as CompositeOutput,
      };
      const cpuLayers = warpCpu({ data: tex, width: s.tw, height: s.th }, { data: grid, rows: s.gr, cols: s.gc }, s.h, s.w);
      const cpu: RenderOutputs = {
        layers: cpuLayers,
        composite: compositeCpu({ layers, photo, bare, masks, means, width: s.w, height: s.h, pool: s.pool }),
      };
      expectClose(graph, cpu, `${s.w}x${s.h}`);
      expect(sum(layers)).toBeGreaterThan(0);
    });
  }
});

describe('CPU render path across calls', () => {
  it('gives the same result for the same inputs whatever ran before (buffers are reused)', async () => {
    const a = await renderInputs(stickPerson({ width: 200, height: 280 }), flatGarment({ stripes: true }), 8);
    const b = await renderInputs(stickPerson({ width: 260, height: 300, raiseLeftArm: true }), flatGarment({ sleeve: 'long' }), 8);
    const first = renderCpu(a);
    renderCpu(b);
    const buffer = new Float32Array(8 * a.box.width * a.box.height + 100).fill(7);
    const again = renderCpu(a, warpCpu(a.tex, a.grid, a.box.height, a.box.width, buffer));
    expect(again.composite.image).toEqual(first.composite.image);
    expect(again.composite.exposed).toEqual(first.composite.exposed);
    // Into reused output buffers (dirty, larger than needed).
    const big = (n: number): Uint8Array => new Uint8Array(n + 50).fill(99);
    const n = a.box.width * a.box.height;
    const reused = compositeCpu(
      { layers: first.layers, photo: a.photo, bare: a.bare, masks: a.masks, means: a.means, width: a.box.width, height: a.box.height, pool: a.pool },
      { image: big(3 * n), alpha: big(n), exposed: big(n), warped: big(3 * n) },
    );
    for (const k of ['image', 'alpha', 'exposed', 'warped'] as const) expect(Array.from(reused[k]), k).toEqual(Array.from(first.composite[k]));
    expect(Array.from(warpCpu(a.tex, a.grid, a.box.height, a.box.width, buffer))).toEqual(Array.from(first.layers));
  });
});

describe('CPU render path input checks', () => {
  const ok = { layers: new Float32Array(8 * 6), photo: new Uint8Array(18), bare: new Uint8Array(18), masks: new Uint8Array(6 * MASK_CHANNELS), means: [0.5], width: 3, height: 2, pool: 4 };

  it('names a bad pool in the usual message shape', () => {
    expect(() => compositeCpu({ ...ok, pool: 0 })).toThrow('Expected integer between 1 and 1024 for pool but received 0 of type number');
  });

  it('rejects arrays smaller than the crop with BAD_INPUT naming the input', () => {
    try {
      compositeCpu({ ...ok, masks: new Uint8Array(6 * MASK_CHANNELS - 1) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TryonError);
      expect((err as TryonError).code).toBe('BAD_INPUT');
      expect((err as TryonError).input).toBe('masks');
    }
    expect(() => warpCpu({ data: new Float32Array(10), width: 4, height: 4 }, { data: new Float32Array(9), rows: 1, cols: 1 }, 2, 3)).toThrow(TryonError);
  });
});

describe.skipIf(!HAVE_SHARED)('CPU render path vs the graphs on the fixture photographs', () => {
  // A tee, a long-sleeved top (sleeve maps), a dress with puff sleeves.
  const PAIRS: [string, string][] = [
    ['model_5.png', '00055_00'],
    ['049447_0.jpg', '00151_00'],
    ['052767_0.jpg', '052234_1'],
  ];
  let tryon: Tryon;
  const pairs: { name: string; person: PersonAnalysis; garment: GarmentAnalysis }[] = [];

  beforeAll(async () => {
    tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1 });
    for (const [p, id] of PAIRS) {
      const e = catalog().find((c) => c.id === id);
      if (!e) continue;
      const person = await tryon.analysePerson(path.join(SHARED_FIXTURES, 'persons', p));
      const garment = await tryon.analyseGarment(garmentPath(e), { type: e.type, category: e.category, name: id });
      pairs.push({ name: `${p} x ${id}`, person, garment });
    }
  }, 60_000);
  afterAll(() => tryon?.close());

  it('matches on every output', async () => {
    expect(pairs.length).toBe(PAIRS.length);
    let exposed = 0;
    for (const { name, person, garment } of pairs) {
      const r = await renderInputs(person, garment);
      const graph = await renderGraphs(registry, r);
      expectClose(graph, renderCpu(r, graph.layers), name);
      expectClose(graph, renderCpu(r), `${name} (CPU warp)`, false);
      // Not vacuous: the garment covers a good part of the crop (a tenth at least: the crop also
      // holds all the bare body changed, a whole old dress for a top).
      expect(sum(graph.composite.alpha) / r.photo.length, name).toBeGreaterThan(10);
      exposed += sum(graph.composite.exposed);
    }
    // The skin and background fill was exercised somewhere.
    expect(exposed).toBeGreaterThan(255 * 500);
  });
});
