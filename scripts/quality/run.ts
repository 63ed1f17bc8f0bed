/**
 * Renders the quality set through the library (Tryon) and measures every pair.
 *
 *   const tryon = await Tryon.create({ cacheDir: null });
 *   const run = await runQuality(tryon, { persons, garments: QUALITY_GARMENTS, onPair });
 *
 * The sleeve axis needs the rendered sleeves on their own, which the try-on result does not
 * carry: they are warped again here with the render's own fit and warp (a few tens of ms).
 */
import path from 'node:path';
import { Tryon } from '../../src/pipeline.ts';
import type { GarmentAnalysis, Mask, PersonAnalysis, RawImage, Size, TryOnResult } from '../../src/types.ts';
import { fitGarment } from '../../src/render/tryon.ts';
import { garmentTexture } from '../../src/render/texture.ts';
import { warpGrid } from '../../src/fit/warp.ts';
import { warpCpu } from '../../src/engines/js/warp.ts';
import { PersonState } from '../../src/render/state.ts';
import { catalog, garmentPath, type CatalogEntry } from '../../test/fixtures.ts';
import { measurePair, personPlanes, type Explanation, type PairMetrics } from './metrics.ts';
import { garmentName, type PairRecord, type QualityGarment } from './pairs.ts';

/** What a caller gets for each pair as it is measured: its record and the three images. */
export interface MeasuredPair {
  record: PairRecord;
  person: RawImage;
  garment: RawImage;
  result: RawImage | null;
  /** The pixels behind the area metrics, when asked for (options.explain). */
  explanation?: Explanation;
}

export interface QualityOptions {
  /** Person photo paths. */
  persons: string[];
  garments: readonly QualityGarment[];
  size?: Size;
  /** Keep the pixels behind the area metrics for each pair (MeasuredPair.explanation). */
  explain?: boolean;
  onPair?: (pair: MeasuredPair) => void | Promise<void>;
}

/** The rendered sleeves' alpha (both in one plane) at the photo's size, null for a sleeveless garment. */
export async function renderedSleeves(person: PersonAnalysis, garment: GarmentAnalysis, size: Size): Promise<Mask | null> {
  if (garment.sleeve === 'none' || garment.category === 'lower') return null;
  const { plan, box } = fitGarment(new PersonState(person), garment, size);
  const tex = await garmentTexture(garment, plan);
  const grid = warpGrid(plan, garment, box, tex.window);
  const layers = warpCpu(tex, grid, box.height, box.width);
  const n = box.width * box.height;
  const out = new Uint8Array(person.width * person.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const a = layers[7 * n + y * box.width + x];
      out[(box.y + y) * person.width + box.x + x] = Math.round(Math.min(1, Math.max(0, a)) * 255);
    }
  }
  return { data: out, width: person.width, height: person.height };
}

async function analyseGarment(tryon: Tryon, g: QualityGarment, entries: CatalogEntry[]): Promise<GarmentAnalysis> {
  if (g.kind === 'template') return tryon.template(g.type, g.color);
  const e = entries.find((c) => c.id === g.id);
  if (!e) throw new Error(`quality set: garment ${g.id} is not in the shared catalog.json`);
  return tryon.analyseGarment(garmentPath(e), { type: e.type as GarmentAnalysis['type'], category: e.category, name: e.id });
}

const NO_METRICS: PairMetrics = { spill: Number.NaN, synthSkin: Number.NaN, textureRatio: null, seamStep: null, remnants: Number.NaN, sleeveAxis: null, ssimOutside: Number.NaN, deltaE: null };

/**
 * Renders and measures every person x garment of the set, person by person (the per-person
 * planes are shared by its pairs); a pair that throws is recorded with its error and the run goes on.
 */
export async function runQuality(tryon: Tryon, options: QualityOptions): Promise<PairRecord[]> {
  const size = options.size ?? 'M';
  const entries = catalog();
  const garments: { name: string; g: GarmentAnalysis }[] = [];
  for (const q of options.garments) garments.push({ name: garmentName(q), g: await analyseGarment(tryon, q, entries) });
  const records: PairRecord[] = [];
  for (const file of options.persons) {
    const personName = path.basename(file);
    const person = await tryon.analysePerson(file);
    // The same shoulder width the fit uses as its unit.
    const body = new PersonState(person).body;
    const planes = personPlanes(person, body.shoulderWidth);
    // Renders run in the library's worker threads while this thread measures the previous pair.
    const started = garments.map(({ g }) => {
      const t0 = performance.now();
      return tryon.tryOn(person, g, { size }).then((r): [TryOnResult, number] => [r, performance.now() - t0]);
    });
    for (let i = 0; i < garments.length; i++) {
      const { name, g } = garments[i];
      const base = { person: personName, garment: name, category: g.category, sleeve: g.sleeve };
      let record: PairRecord;
      let image: RawImage | null = null;
      const explanation: Explanation | undefined = options.explain ? {} : undefined;
      try {
        const [res, renderMs] = await started[i];
        const layers = res.layers!;
        image = res.image;
        const sleeves = await renderedSleeves(person, g, size);
        const metrics = measurePair(planes, {
          person,
          result: res.image,
          garmentMask: layers.garmentMask,
          warpedGarment: layers.warpedGarment,
          exposedSkin: layers.exposedSkin,
          sleeves,
          category: g.category,
          sleeved: g.sleeve !== 'none' && g.category !== 'lower',
        }, explanation);
        record = { ...base, metrics, renderMs: Math.round(renderMs) };
      } catch (err) {
        record = { ...base, metrics: NO_METRICS, renderMs: 0, error: (err as Error).message };
      }
      records.push(record);
      await options.onPair?.({ record, person: person.image, garment: g.image, result: image, explanation });
    }
    tryon.forget(person);
  }
  for (const { g } of garments) tryon.forget(g);
  return records;
}
