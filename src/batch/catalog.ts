/**
 * A whole batch as one library call: find the person photos, read the catalog manifest, plan
 * (shard, resume), run in this process or in N (processes.ts), merge and report. `tryon batch`
 * only turns its flags into a CatalogSpec and draws the events.
 *
 *   const controller = new AbortController();
 *   const summary = await runCatalog(
 *     { persons: ['photos/*.jpg'], catalog: 'catalog.json', out: 'out', resume: true },
 *     { onEvent: (e) => console.log(e), signal: controller.signal },
 *   );
 *   summary.exitCode; // 0 all done, 1 some failed, 130 interrupted
 *
 * Throws TryonError BAD_MANIFEST (a wrong manifest, stopping before any work) or BAD_OPTION (a
 * wrong option, persons that give nothing to do, a path named in `persons` that does not exist,
 * an `out` folder that cannot be created or written); a bad pair only fails its own record.
 */
import path from 'node:path';
import { resolveConfig } from '../config.ts';
import { TryonError } from '../errors.ts';
import { integerIn } from '../validate.ts';
import { toolVersion } from './digest.ts';
import type { BatchSummary } from './events.ts';
import { loadManifest } from './manifest.ts';
import { prepareOutFolder } from './out-folder.ts';
import { findPersons } from './persons.ts';
import { planBatch, type Shard } from './plan.ts';
import { preparePlan } from './prepare.ts';
import type { CatalogPlan, CatalogRunOptions, CatalogSpec } from './spec.ts';

export type { CatalogEvent, CatalogPlan, CatalogRunOptions, CatalogSpec } from './spec.ts';

/** The inputs of a spec: person photos (not those inside the output folder) and garments. */
async function findInputs(spec: CatalogSpec, warn: (message: string) => void): Promise<Pick<Parameters<typeof planBatch>[0], 'persons' | 'garments'>> {
  const manifest = await loadManifest(spec.catalog);
  manifest.warnings.forEach(warn);
  if (manifest.garments.length === 0) throw new TryonError('BAD_MANIFEST', `${spec.catalog}: the manifest lists no garments; nothing to do`, { input: spec.catalog });
  const found = await findPersons(spec.persons);
  found.warnings.forEach(warn);
  // `--persons "photos/**"` with `--out photos/tryon` would take last run's results for persons.
  const outDir = path.resolve(spec.out) + path.sep;
  const inOut = found.persons.filter((p) => p.image.startsWith(outDir));
  if (inOut.length) warn(`${inOut.length} of the files matched by --persons are inside --out ${spec.out}: skipped (earlier results, not persons)`);
  const persons = found.persons.filter((p) => !p.image.startsWith(outDir));
  if (persons.length === 0) {
    throw new TryonError('BAD_OPTION', `--persons ${spec.persons.join(' ')}: no person images found; nothing to do`, {
      input: '--persons',
      suggestion: 'Quote glob patterns so the shell does not expand them: --persons "photos/*.jpg".',
    });
  }
  return { persons, garments: manifest.garments };
}

/**
 * Finds the inputs and plans the batch without running it (what `--dry-run` prints).
 * @param part this process's part of the pairs, when the batch runs in several (processes.ts)
 */
export async function planCatalog(spec: CatalogSpec, options: CatalogRunOptions & { part?: Shard | null } = {}): Promise<CatalogPlan> {
  const config = resolveConfig(spec.pipeline);
  integerIn('processes', spec.processes ?? 1, 1, 64);
  const warn = (message: string): void => options.onEvent?.({ type: 'warning', message });
  const inputs = await findInputs(spec, warn);
  const plan = planBatch({ ...inputs, outDir: spec.out, options: spec.output, shard: spec.shard ?? null, worker: options.part ?? null });
  const settings = { person: config.person, garment: config.garment };
  const prepared = await preparePlan(plan, { resume: spec.resume === true, settings, version: toolVersion(config.modelsDir) });
  prepared.redo.slice(0, 10).forEach(warn);
  if (prepared.redo.length > 10) warn(`and ${prepared.redo.length - 10} more kept outputs damaged; rendered again`);
  // More shards than pairs: this shard has nothing, which is fine in a matrix.
  if (plan.pairs.length === 0 && plan.shard) warn(`shard ${plan.shard.index}/${plan.shard.count} has no pairs (the batch has ${plan.totalPairs})`);
  return { plan, prepared, config, settings };
}

/** Runs a planned batch in this process through a Tryon pipeline (renewed when ONNX Runtime's arenas grow). */
export async function runPlanned(planned: CatalogPlan, spec: CatalogSpec, options: CatalogRunOptions = {}): Promise<BatchSummary> {
  // Loaded here: planning (and `tryon --help`) must not load ONNX Runtime.
  const { Tryon } = await import('../pipeline.ts');
  const { runBatch } = await import('./runner.ts');
  let tryon = await Tryon.create(planned.config);
  try {
    return await runBatch(planned.plan, tryon, {
      concurrency: tryon.budget.concurrency,
      resume: spec.resume === true,
      signal: options.signal,
      settings: planned.settings,
      prepared: planned.prepared,
      onEvent: options.onEvent,
      renew: async () => {
        await tryon.close();
        tryon = await Tryon.create(planned.config);
        return tryon;
      },
    });
  } finally {
    await tryon.close();
  }
}

/** Every person photo in every garment of a catalog: plans, runs in one process or `spec.processes`, merges and reports. */
export async function runCatalog(spec: CatalogSpec, options: CatalogRunOptions = {}): Promise<BatchSummary> {
  const planned = await planCatalog(spec, options);
  // Before any model is loaded or pair rendered: a folder that cannot take the results is a usage error.
  await prepareOutFolder(spec.out);
  const processes = spec.processes ?? 1;
  if (processes > 1 && planned.plan.pairs.length > planned.prepared.skip.size) {
    const { runProcesses } = await import('./processes.ts');
    return runProcesses(planned, spec, processes, options);
  }
  return runPlanned(planned, spec, options);
}
