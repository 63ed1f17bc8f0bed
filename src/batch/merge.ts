/**
 * Merging the results of `--workers` processes: each wrote its own
 * `results[.shard-i-of-n].worker-k-of-m.json` (and, if killed, a journal); the parent folds them
 * into the plan's one results file, removes theirs, and writes index.html.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeIndex } from './folder.ts';
import type { BatchPlan } from './plan.ts';
import { previousRecords, type Prepared } from './prepare.ts';
import { readResultsDocs, ResultsWriter, type PairRecord, type ResultsDoc } from './results.ts';

export async function mergeWorkerResults(plan: BatchPlan, prepared: Prepared, interrupted: boolean): Promise<ResultsDoc> {
  const docs = await readResultsDocs(plan.outDir);
  const previous = await previousRecords(plan.outDir);
  const records: PairRecord[] = plan.pairs.map((pair) => {
    const digest = prepared.digests.get(pair.key)!;
    const r = previous.get(pair.key);
    if (r && r.digest === digest) return prepared.skip.has(pair.key) ? { ...r, resumed: true } : { ...r, resumed: undefined };
    return {
      person: pair.person.name,
      garment: pair.garment.name,
      output: pair.output,
      ok: false,
      status: 'pending',
      error: interrupted ? { code: 'INTERRUPTED', message: 'not run: the batch was interrupted; run again with --resume' } : { code: 'INTERNAL', message: 'not run: its worker process ended early' },
      ms: {},
      digest,
      thumb: null,
    };
  });
  const persons = new Map<string, ResultsDoc['persons'][number]>();
  const garments = new Map<string, ResultsDoc['garments'][number]>();
  for (const doc of docs) {
    for (const p of doc.persons) if (!persons.get(p.name)?.thumb) persons.set(p.name, p);
    for (const g of doc.garments) if (!garments.get(g.name)?.thumb) garments.set(g.name, g);
  }
  const used = (name: string, of: 'person' | 'garment'): boolean => plan.pairs.some((p) => p[of].name === name);
  const writer = new ResultsWriter({ ...plan, worker: null }, {
    version: prepared.version,
    records,
    persons: plan.persons.filter((p) => used(p.name, 'person')).map((p) => persons.get(p.name) ?? { name: p.name, image: p.image, thumb: null }),
    garments: plan.garments
      .filter((g) => used(g.name, 'garment'))
      .map((g) => garments.get(g.name) ?? { name: g.name, id: g.id, type: g.type, category: g.category, image: g.image, color: g.color, size: g.size, label: g.label, thumb: null }),
  });
  const pending = records.some((r) => r.status === 'pending');
  const doc = await writer.flush({ complete: !interrupted && !pending, interrupted });
  for (const name of await readdir(plan.outDir)) {
    if (/^\.?results.*\.worker-\d+-of-\d+\.json(\.journal)?$/.test(name)) await rm(path.join(plan.outDir, name), { force: true });
  }
  await writeIndex(plan.outDir);
  return doc;
}
