/**
 * Batch try-on: every person x every garment of a catalog, as a library. The CLI's
 * `tryon batch` is a thin shell over runCatalog.
 *
 *   const summary = await runCatalog({ persons: ['photos/*.jpg'], catalog: 'catalog.json', out: 'out' }, { onEvent: console.log });
 *
 * The parts, for a caller that brings its own pipeline (runBatch takes any BatchPipeline):
 *
 *   const manifest = await loadManifest('catalog.json');
 *   const { persons } = await findPersons(['photos/*.jpg']);
 *   const plan = planBatch({ persons, garments: manifest.garments, outDir: 'out' });
 *   const tryon = await Tryon.create();
 *   const summary = await runBatch(plan, tryon, { concurrency: tryon.budget.concurrency, onEvent: console.log });
 */
export { runCatalog, planCatalog, type CatalogSpec, type CatalogEvent, type CatalogPlan, type CatalogRunOptions } from './catalog.ts';
export type { BatchEvent, BatchSummary } from './events.ts';
export { loadManifest, parseManifest, type GarmentSpec, type Manifest } from './manifest.ts';
export { findPersons, type PersonSpec } from './persons.ts';
export { planBatch, parseShard, shardPairs, resolveOutputOptions, type BatchPlan, type Pair, type Shard, type OutputOptions } from './plan.ts';
export { preparePlan, type Prepared } from './prepare.ts';
export { runBatch, type BatchPipeline, type RunOptions } from './runner.ts';
export { writeIndex } from './folder.ts';
export { readResultsDocs, resultsFileName, type PairRecord, type ResultsDoc, type StageTimes } from './results.ts';
export { renderIndexHtml } from './html.ts';
