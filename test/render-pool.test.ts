import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/config.ts';
import { TryonError } from '../src/errors.ts';
import { JsEngine } from '../src/engines/js/engine.ts';
import { RenderPool } from '../src/threads/pool.ts';
import { tryOn } from '../src/render/tryon.ts';
import type { Size } from '../src/types.ts';
import { graphRegistry } from './helpers/graph-registry.ts';
import { flatGarment, stickPerson } from './helpers/synthetic.ts';

const registry = graphRegistry();
const pool = new RenderPool({ threads: 2, engine: 'onnx', modelsDir: path.join(PACKAGE_ROOT, 'models') });
afterAll(async () => {
  await pool.close();
  await registry.release();
});

describe('RenderPool', () => {
  it('renders in worker threads exactly what the calling thread renders, pairs in parallel', async () => {
    const person = stickPerson({ width: 300, height: 400 });
    const garments = [flatGarment({ stripes: true }), flatGarment({ sleeve: 'none', color: [240, 240, 240] }), flatGarment({ sleeve: 'long', color: [30, 120, 60] })];
    const sizes: Size[] = ['M', 'S', 'XL'];
    const local = [];
    for (let i = 0; i < garments.length; i++) local.push(await tryOn(person, garments[i], { size: sizes[i] }, registry));
    const pooled = await Promise.all(garments.map((g, i) => pool.tryOn(person, g, { size: sizes[i] })));
    for (let i = 0; i < garments.length; i++) {
      expect(Buffer.from(pooled[i].image.data).equals(Buffer.from(local[i].image.data))).toBe(true);
      expect(Buffer.from(pooled[i].layers!.exposedSkin.data).equals(Buffer.from(local[i].layers!.exposedSkin.data))).toBe(true);
    }
    // The analyses went over as shared memory, not copies.
    expect(person.image.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(garments[0].mask.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The second pair of a person reuses what the worker holds.
    const again = await pool.tryOn(person, garments[0], { size: 'M', layers: false });
    expect(Buffer.from(again.image.data).equals(Buffer.from(local[0].image.data))).toBe(true);
    expect(again.layers).toBeUndefined();
  });

  it('renders with the TypeScript engine in workers exactly what it renders on the calling thread', async () => {
    const js = new RenderPool({ threads: 2, engine: 'js' });
    try {
      const person = stickPerson({ width: 300, height: 400 });
      const garments = [flatGarment({ stripes: true }), flatGarment({ sleeve: 'long', color: [30, 120, 60] })];
      const pooled = await Promise.all(garments.map((g) => js.tryOn(person, g, { layers: false })));
      for (let i = 0; i < garments.length; i++) {
        // (With its layers: asking for the image alone must not change the image.)
        const local = await tryOn(person, garments[i], {}, new JsEngine());
        expect(local.layers).toBeDefined();
        expect(Buffer.from(pooled[i].image.data).equals(Buffer.from(local.image.data))).toBe(true);
      }
    } finally {
      await js.close();
    }
  });

  it('passes errors back with their code and message, and keeps working', async () => {
    const person = stickPerson({ width: 200, height: 260 });
    const garment = flatGarment();
    const err = await pool.tryOn(person, garment, { size: 'XXL' as Size }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TryonError);
    expect((err as TryonError).code).toBe('BAD_OPTION');
    expect((err as TryonError).message).toMatch(/size/);
    const ok = await pool.tryOn(person, garment, { layers: false });
    expect(ok.image.width).toBe(200);
  });

  it('sends an analysis again after forgetting it', async () => {
    const person = stickPerson({ width: 200, height: 260 });
    const garment = flatGarment({ color: [200, 40, 40] });
    const first = await pool.tryOn(person, garment, { layers: false });
    pool.forget(garment);
    pool.forget(person);
    const second = await pool.tryOn(person, garment, { layers: false });
    expect(Buffer.from(second.image.data).equals(Buffer.from(first.image.data))).toBe(true);
  });

  it('fails a pair that takes too long, stops its worker and goes on with a fresh one', async () => {
    // 1 ms: no pair can make it, so every pair fails, each on a worker started for it.
    const slow = new RenderPool({ threads: 1, engine: 'js', timeoutMs: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const err = await slow.tryOn(stickPerson({ width: 160, height: 200 }), flatGarment(), { layers: false }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TryonError);
        expect((err as TryonError).code).toBe('INTERNAL');
        expect((err as TryonError).message).toMatch(/longer than 1 ms/);
      }
    } finally {
      await slow.close();
    }
  });

  it('refuses work once closed', async () => {
    const p = new RenderPool({ threads: 1, engine: 'onnx', modelsDir: path.join(PACKAGE_ROOT, 'models') });
    await p.tryOn(stickPerson({ width: 160, height: 200 }), flatGarment(), { layers: false });
    await p.close();
    await expect(p.tryOn(stickPerson({ width: 160, height: 200 }), flatGarment())).rejects.toThrow(/closed/);
    expect(() => new RenderPool({ threads: 0, engine: 'js' })).toThrow(/render.threads/);
  });
});
