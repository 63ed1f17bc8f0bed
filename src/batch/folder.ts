/**
 * The output folder's housekeeping: temp files a killed run left, index.html from every results
 * file in the folder, and the persons and garments of a results document (with their thumbnails).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../image/write.ts';
import { renderIndexHtml } from './html.ts';
import type { GarmentSpec } from './manifest.ts';
import type { PersonSpec } from './persons.ts';
import type { BatchPlan } from './plan.ts';
import { readResultsDocs, type ResultsDoc } from './results.ts';
import { thumbPaths } from './thumbs.ts';

/** Writes `<out>/index.html` from every results file in the folder (shards merge). */
export async function writeIndex(outDir: string, docs?: ResultsDoc[]): Promise<string> {
  const file = path.join(outDir, 'index.html');
  await writeFileAtomic(file, renderIndexHtml(docs ?? (await readResultsDocs(outDir))));
  return file;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Removes temp files (`.name.<hex>.tmp`) that a killed run left: at once when they are for a
 * file this run owns (`owned`, paths relative to the output folder), else when older than a
 * minute (another shard sharing the folder may be writing them right now).
 */
async function removeStaleTemps(outDir: string, dirs: string[], owned: Set<string>): Promise<void> {
  const cutoff = Date.now() - 60_000;
  for (const dir of dirs) {
    const names = await readdir(path.join(outDir, dir)).catch(() => [] as string[]);
    for (const n of names) {
      const m = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(n);
      if (!m) continue;
      const file = path.join(outDir, dir, n);
      if (owned.has(path.posix.join(dir.split(path.sep).join('/'), m[1]))) {
        await rm(file, { force: true });
        continue;
      }
      const s = await stat(file).catch(() => null);
      if (s && s.mtimeMs < cutoff) await rm(file, { force: true });
    }
  }
}

/** Before a run: the temp files of the plan's outputs, thumbnails and results file that a killed run left. */
export async function removeTempsOf(plan: BatchPlan, resultsFile: string): Promise<void> {
  const { outDir } = plan;
  await removeStaleTemps(
    outDir,
    ['.', ...plan.persons.flatMap((p) => [p.name, path.join('.thumbs', p.name)])],
    new Set(plan.pairs.flatMap((p) => [p.output, thumbPaths.pair(p.person.name, p.garment.name)])),
  );
  // Temp files of our own results file are from a killed run of this same shard: remove them now.
  const ownTemp = new RegExp(`^\\.${path.basename(resultsFile).replace(/\./g, '\\.')}\\.[0-9a-f]{12}\\.tmp$`);
  for (const name of await readdir(outDir).catch(() => [] as string[])) if (ownTemp.test(name)) await rm(path.join(outDir, name), { force: true });
}

/** The persons and garments of a plan's pairs for its results document, with the thumbnails found. */
export async function docInputs(plan: BatchPlan): Promise<Pick<ResultsDoc, 'persons' | 'garments'>> {
  const { outDir } = plan;
  const persons = new Map<string, PersonSpec>();
  const garments = new Map<string, GarmentSpec>();
  for (const p of plan.pairs) {
    persons.set(p.person.name, p.person);
    garments.set(p.garment.name, p.garment);
  }
  const thumb = async (rel: string): Promise<string | null> => ((await exists(path.join(outDir, rel))) ? rel : null);
  return {
    persons: await Promise.all([...persons.values()].map(async (p) => ({ name: p.name, image: p.image, thumb: await thumb(thumbPaths.person(p.name)) }))),
    garments: await Promise.all(
      [...garments.values()].map(async (g) => ({
        name: g.name,
        id: g.id,
        type: g.type,
        category: g.category,
        image: g.image,
        color: g.color,
        size: g.size,
        label: g.label,
        thumb: await thumb(thumbPaths.garment(g.name)),
      })),
    ),
  };
}
