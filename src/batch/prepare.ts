/**
 * Before a run (and for `--dry-run`): the digest of every pair, and which pairs `--resume`
 * may skip: those whose earlier record is done with the same digest and whose output file is
 * still the one written (its recorded size and sha256). Earlier records come from every
 * results file and journal in the output folder, so shards sharing one folder, and runs
 * killed before their last save, count too.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { fileDigest, pairDigest, sha256Hex, toolVersion } from './digest.ts';
import { readJournal } from './journal.ts';
import type { BatchPlan, Pair } from './plan.ts';
import { readResultsDocs, type PairRecord } from './results.ts';

export interface Prepared {
  /** key -> digest, for every pair of the plan. */
  digests: Map<string, string>;
  /** Earlier records of this plan's pairs (best one per pair). */
  previous: Map<string, PairRecord>;
  /** Pairs `--resume` skips (empty without resume). */
  skip: Set<string>;
  /** Outputs `--resume` found done but damaged, and redoes: `<output>: why; rendered again`. */
  redo: string[];
  version: string;
}

export interface PrepareOptions {
  resume: boolean;
  /** Pipeline settings that change the pictures (analysis options), part of every digest. */
  settings?: unknown;
  /** Tool + models version; default from package.json and models/manifest.json. */
  version?: string;
}

/** Output options that change the picture (thumbnails do not). */
function pictureOptions(plan: BatchPlan, settings: unknown): unknown {
  return { format: plan.options.format, quality: plan.options.quality, settings: settings ?? null };
}

export async function digestPairs(plan: BatchPlan, settings: unknown, version: string): Promise<Map<string, string>> {
  const limit = pLimit(8);
  const files = new Map<string, Promise<string>>();
  const digestOf = (file: string): Promise<string> => {
    let p = files.get(file);
    if (!p) {
      p = limit(() => fileDigest(file));
      files.set(file, p);
    }
    return p;
  };
  const options = pictureOptions(plan, settings);
  const digests = new Map<string, string>();
  await Promise.all(
    plan.pairs.map(async (pair: Pair) => {
      const g = pair.garment;
      const [person, garment] = await Promise.all([digestOf(pair.person.image), g.image ? digestOf(g.image) : Promise.resolve('template')]);
      digests.set(
        pair.key,
        pairDigest({ person, garment, garmentSpec: { type: g.type, category: g.category, color: g.color, size: pair.size, ...(g.source ? { source: g.source } : {}) }, options, version }),
      );
    }),
  );
  return digests;
}

/** Earlier records per pair key: from results files, then journals (newer); a done record wins. */
export async function previousRecords(outDir: string): Promise<Map<string, PairRecord>> {
  const previous = new Map<string, PairRecord>();
  const take = (r: PairRecord): void => {
    const key = `${r.person}/${r.garment}`;
    const old = previous.get(key);
    if (!old || r.status === 'done' || old.status !== 'done') previous.set(key, r);
  };
  for (const doc of await readResultsDocs(outDir)) doc.results.forEach(take);
  const journals = (await readdir(outDir).catch(() => [] as string[])).filter((n) => /^\.results.*\.json\.journal$/.test(n)).sort();
  for (const j of journals) (await readJournal(path.join(outDir, j))).forEach(take);
  return previous;
}

/** A deleted output is the usual way to ask for a pair again: redone without a warning. */
const MISSING = 'it is missing';

/**
 * Why a kept output cannot be trusted, or null when it is the file that was written: its size
 * and sha256 must be those recorded when it was written (a truncated or overwritten file is
 * redone). A record without them (an older run's) cannot vouch for its file.
 */
export async function outputFault(file: string, record: PairRecord): Promise<string | null> {
  if (record.outputBytes === undefined || record.outputSha256 === undefined) return 'no size and sha256 were recorded for it';
  const s = await stat(file).catch(() => null);
  if (!s?.isFile()) return MISSING;
  if (s.size !== record.outputBytes) return `it has ${s.size} bytes, ${record.outputBytes} were written`;
  const sha = await readFile(file).then(sha256Hex, () => null);
  return sha === record.outputSha256 ? null : 'its bytes changed since it was written';
}

export async function preparePlan(plan: BatchPlan, options: PrepareOptions): Promise<Prepared> {
  const version = options.version ?? toolVersion();
  const digests = await digestPairs(plan, options.settings, version);
  const keys = new Set(plan.pairs.map((p) => p.key));
  const previous = new Map([...(await previousRecords(plan.outDir))].filter(([k]) => keys.has(k)));
  const skip = new Set<string>();
  const redo: string[] = [];
  if (options.resume) {
    const limit = pLimit(16);
    await Promise.all(
      plan.pairs.map((pair) =>
        limit(async () => {
          const prev = previous.get(pair.key);
          if (prev?.status !== 'done' || prev.digest !== digests.get(pair.key) || prev.output !== pair.output) return;
          const fault = await outputFault(path.join(plan.outDir, pair.output), prev);
          if (fault === null) skip.add(pair.key);
          else if (fault !== MISSING) redo.push(`${pair.output}: ${fault}; rendered again`);
        }),
      ),
    );
  }
  return { digests, previous, skip, redo: redo.sort(), version };
}
