/**
 * Parity of the converted ONNX models with the TF.js originals: test/golden/<model>.json holds
 * outputs that TF.js's CPU backend computed once (scripts/make-goldens.ts) on the fixed input
 * of test/golden/input.ts. Sampled values must agree within 2e-3; landmark coordinates are
 * compared in normalised units (pixels / 256), their natural scale (the raw values reach ~370 px,
 * where float32 rounding alone is ~1e-4 per op).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { MODEL_NAMES, type ModelName } from '../src/models/manifest.ts';
import { goldenInput } from './golden/input.ts';
import { PROJECT_ROOT } from './fixtures.ts';

interface Golden {
  model: string;
  input: { name: string; shape: number[]; range: '0,1' | '-1,1' };
  outputs: Record<string, { shape: number[]; stride: number; values: number[] }>;
}

const TOLERANCE = 2e-3;

function golden(name: ModelName): Golden {
  return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'test', 'golden', `${name}.json`), 'utf8')) as Golden;
}

/** Per-element scale: landmark x,y,z (columns 0..2 of ld_3d's rows of 5) are compared in units of the 256 input. */
function scaleFor(output: string, index: number): number {
  return output === 'ld_3d' && index % 5 < 3 ? 1 / 256 : 1;
}

let registry: ModelRegistry;
beforeAll(async () => {
  registry = await createModelRegistry({ modelsDir: path.join(PROJECT_ROOT, 'models'), device: 'cpu', intraOpThreads: 1 });
});
afterAll(() => registry?.release());

describe('converted models match TF.js', () => {
  for (const name of MODEL_NAMES) {
    it(`${name}: every output within ${TOLERANCE} of the TF.js CPU backend`, async () => {
      const g = golden(name);
      const session = await registry.session(name);
      const [, h, w] = g.input.shape;
      const feeds = { [g.input.name]: new ort.Tensor('float32', goldenInput(h, w, g.input.range), g.input.shape) };
      const out = await session.run(feeds);
      expect(Object.keys(out).sort()).toEqual(Object.keys(g.outputs).sort());
      for (const [key, gold] of Object.entries(g.outputs)) {
        expect(out[key].dims, key).toEqual(gold.shape);
        const data = out[key].data as Float32Array;
        let worst = 0;
        let at = -1;
        gold.values.forEach((v, i) => {
          const j = i * gold.stride;
          const diff = Math.abs(data[j] - v) * scaleFor(key, j);
          if (!(diff <= worst)) [worst, at] = [diff, j];
        });
        expect(worst, `${name}.${key}: max diff at element ${at}`).toBeLessThanOrEqual(TOLERANCE);
        // The goldens must not be trivially zero: parity on all-zero outputs proves nothing.
        expect(gold.values.some((v) => Math.abs(v) > 1e-3), `${name}.${key} golden has signal`).toBe(true);
      }
    });
  }
});
