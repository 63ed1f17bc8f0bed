/**
 * `<out>/results.json`: one record per pair of the plan (ok or not, why, how long each stage
 * took, the digest `--resume` compares). It is rewritten whole and atomically (temp + rename)
 * every few pairs and seconds, so a `kill -9` loses at most the pairs in flight and a reader
 * never sees half a file. A sharded run writes `results.shard-<i>-of-<n>.json` instead, so
 * shards that share one output folder never overwrite each other; index.html merges them all.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../errors.ts';
import { writeFileAtomic } from '../image/write.ts';
import type { BatchPlan, OutputOptions, Shard } from './plan.ts';

/** Milliseconds per stage. Person and garment analyses are shared by a row / column of pairs:
 * their times are those of the one analysis the pair used (small when it was cached). */
export interface StageTimes {
  decode?: number;
  personAnalysis?: number;
  garmentAnalysis?: number;
  /**
   * Parts of the render (tryOn's own timings): fitting the garment to the body, its texture,
   * the per-pixel roles (masks), warping it, compositing.
   */
  fit?: number;
  texture?: number;
  masks?: number;
  warp?: number;
  composite?: number;
  encode?: number;
  write?: number;
  /** The whole render call (tryOn), of which warp and composite are parts. */
  render?: number;
  /** Wall time of this pair's own work: render + encode + write (+ thumbnail). */
  total?: number;
}

export type PairStatus = 'done' | 'failed' | 'pending';

export interface PairRecord {
  person: string;
  garment: string;
  /** Output path relative to the output folder ('/' separators). */
  output: string;
  ok: boolean;
  status: PairStatus;
  /** Why it failed (or, for a pending pair of an interrupted run, why it did not run). */
  error: { code: ErrorCode; message: string } | null;
  ms: StageTimes;
  /** Input digest (see digest.ts); `--resume` skips a pair whose digest is unchanged. */
  digest: string;
  /** Of a done pair: the output's size and sha256 as written, which `--resume` checks the file against. */
  outputBytes?: number;
  outputSha256?: string;
  /** Thumbnail relative to the output folder, or null. */
  thumb: string | null;
  /** True when this run kept the output of an earlier run. */
  resumed?: boolean;
  /** Render warnings (e.g. a garment landmark guessed), if any. */
  warnings?: string[];
}

export interface ResultsSummary {
  pairs: number;
  done: number;
  failed: number;
  pending: number;
  /** Of `done`, kept from an earlier run by --resume. */
  resumed: number;
}

export interface ResultsDoc {
  tool: 'tryon';
  version: string;
  startedAt: string;
  updatedAt: string;
  /** False while the run is going (or was killed); true once every pair was tried or it was interrupted cleanly. */
  complete: boolean;
  interrupted: boolean;
  shard: Shard | null;
  options: OutputOptions;
  summary: ResultsSummary;
  persons: { name: string; image: string; thumb: string | null }[];
  garments: { name: string; id: string; type: string; category: string; image: string | null; color: string | null; size: string | null; label: string | null; thumb: string | null }[];
  results: PairRecord[];
}

export function resultsFileName(shard: Shard | null, worker: Shard | null = null): string {
  const part = (name: string, s: Shard | null): string => (s && s.count > 1 ? `.${name}-${s.index}-of-${s.count}` : '');
  return `results${part('shard', shard)}${part('worker', worker)}.json`;
}

/** results.json, results.shard-1-of-4.json and, while `--workers` runs, results[.shard-i-of-n].worker-k-of-m.json. */
export const RESULTS_FILE = /^results(\.shard-\d+-of-\d+)?(\.worker-\d+-of-\d+)?\.json$/;

/** Reads every results file in an output folder (whole batch and shards); unreadable ones are skipped. */
export async function readResultsDocs(outDir: string): Promise<ResultsDoc[]> {
  let names: string[];
  try {
    names = (await readdir(outDir)).filter((n) => RESULTS_FILE.test(n)).sort();
  } catch {
    return [];
  }
  const docs: ResultsDoc[] = [];
  for (const name of names) {
    try {
      const doc = JSON.parse(await readFile(path.join(outDir, name), 'utf8')) as ResultsDoc;
      if (doc && doc.tool === 'tryon' && Array.isArray(doc.results)) docs.push(doc);
    } catch {
      // A results file from something else, or hand-edited into invalid JSON: no resume data.
    }
  }
  return docs;
}

export function summarise(records: Iterable<PairRecord>): ResultsSummary {
  const s: ResultsSummary = { pairs: 0, done: 0, failed: 0, pending: 0, resumed: 0 };
  for (const r of records) {
    s.pairs++;
    s[r.status]++;
    if (r.resumed && r.status === 'done') s.resumed++;
  }
  return s;
}

/**
 * Holds the records of a run and writes results.json whole and atomically: at most every
 * `everyPairs` finished pairs or `everyMs` milliseconds, one write at a time (a change during
 * a write is saved by the next one), and once more at the end.
 */
export class ResultsWriter {
  readonly file: string;
  private records = new Map<string, PairRecord>();
  private head: Omit<ResultsDoc, 'updatedAt' | 'complete' | 'interrupted' | 'summary' | 'results'>;
  private sinceSave = 0;
  private lastSave = Date.now();
  private writing: Promise<void> | null = null;
  private again = false;
  private minInterval: number;
  /** The last periodic write's failure; the final write (in `flush`) throws its own. */
  lastError: unknown = null;

  constructor(
    plan: BatchPlan,
    init: { version: string; records: PairRecord[]; persons: ResultsDoc['persons']; garments: ResultsDoc['garments'] },
    private readonly every: { pairs: number; ms: number } = { pairs: 25, ms: 2000 },
  ) {
    this.file = path.join(plan.outDir, resultsFileName(plan.shard, plan.worker ?? null));
    for (const r of init.records) this.records.set(`${r.person}/${r.garment}`, r);
    this.head = {
      tool: 'tryon',
      version: init.version,
      startedAt: new Date().toISOString(),
      shard: plan.shard,
      options: plan.options,
      persons: init.persons,
      garments: init.garments,
    };
    this.minInterval = every.ms;
  }

  get(key: string): PairRecord | undefined {
    return this.records.get(key);
  }

  all(): PairRecord[] {
    return [...this.records.values()];
  }

  summary(): ResultsSummary {
    return summarise(this.records.values());
  }

  /** The persons and garments of the run, for index.html's headers. */
  setInputs(inputs: Pick<ResultsDoc, 'persons' | 'garments'>): void {
    this.head.persons = inputs.persons;
    this.head.garments = inputs.garments;
  }

  /** Replaces a record without counting it as a finished pair. */
  replace(record: PairRecord): void {
    this.records.set(`${record.person}/${record.garment}`, record);
  }

  /** Records a finished pair; saves when enough pairs or time went by since the last save. */
  set(record: PairRecord): void {
    this.records.set(`${record.person}/${record.garment}`, record);
    this.sinceSave++;
    if (this.sinceSave >= this.every.pairs || Date.now() - this.lastSave >= this.minInterval) this.save();
  }

  doc(final: { complete: boolean; interrupted: boolean }): ResultsDoc {
    const results = this.all();
    return { ...this.head, updatedAt: new Date().toISOString(), ...final, summary: summarise(results), results };
  }

  /** Starts a save (or queues one after the save in progress). */
  save(final = { complete: false, interrupted: false }): Promise<void> {
    this.sinceSave = 0;
    this.lastSave = Date.now();
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    this.writing = (async () => {
      try {
        do {
          this.again = false;
          const started = Date.now();
          await writeFileAtomic(this.file, JSON.stringify(this.doc(final), null, 1));
          // A huge catalog makes each write slow: keep saving under ~10% of the time.
          this.minInterval = Math.max(this.every.ms, (Date.now() - started) * 10);
        } while (this.again);
      } catch (err) {
        this.lastError = err;
      } finally {
        this.writing = null;
      }
    })();
    return this.writing;
  }

  /** Waits for any save in progress, then writes the final document. */
  async flush(final: { complete: boolean; interrupted: boolean }): Promise<ResultsDoc> {
    while (this.writing) await this.writing;
    const doc = this.doc(final);
    await writeFileAtomic(this.file, JSON.stringify(doc, null, 1));
    return doc;
  }
}
