/**
 * The batch runner: renders every pair of a plan through a pipeline, with bounded concurrency,
 * bounded memory, per-pair failures, resume, periodic saves and clean interruption.
 *
 * Work: P person analyses + G garment analyses + P x G renders, never an analysis per pair.
 * Order: the P x G matrix is cut into tiles that fit a memory budget: garments are analysed
 * in blocks of up to `garmentMemory` bytes (~25 photos of 768x1024),
 * persons in blocks of up to `personMemory` bytes (one block for ~50 photos). Inside a tile
 * the renders go garment by garment: a renderer keeps a garment's textures for its later
 * pairs (a few at a time, src/render/state.ts), which saves a large part of every render after
 * a garment's first, so only the garments in flight hold textures: memory follows the budgets
 * and the concurrency, not the catalog. Analyses of a tile are dropped (and `forget`-ed by the
 * pipeline, which drops what its renderers derived from them) when it is done.
 * A bigger batch than one tile re-fetches persons per garment block (from the pipeline's
 * analysis cache, a file read) and never re-analyses a garment.
 * One limiter (`concurrency`) holds every CPU task, analyses and renders alike: that is the
 * number of pairs in flight that src/threads.ts sized ONNX Runtime's and sharp's threads for.
 *
 * The runner knows nothing of terminals: it reports through `onEvent` (the CLI draws progress,
 * prints JSON lines or stays quiet) and returns a summary.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { asTryonError } from '../errors.ts';
import { encodeImage } from '../image/encode.ts';
import { writeFileAtomic } from '../image/write.ts';
import type { GarmentAnalysis, GarmentCategory, GarmentType, PersonAnalysis, Size, TryOnResult } from '../types.ts';
import { renderIndexHtml } from './html.ts';
import { Journal, journalPath } from './journal.ts';
import type { BatchPlan, Pair } from './plan.ts';
import { preparePlan, type Prepared } from './prepare.ts';
import { readResultsDocs, ResultsWriter, type PairRecord, type ResultsDoc, type ResultsSummary, type StageTimes } from './results.ts';
import { thumbPaths, writeThumb, writeThumbFromFile } from './thumbs.ts';
import type { GarmentSpec } from './manifest.ts';
import type { PersonSpec } from './persons.ts';

/** What the runner needs of the pipeline (the `Tryon` facade has it); tests can pass their own. */
export interface BatchPipeline {
  analysePerson(input: string, name: string): Promise<PersonAnalysis>;
  analyseGarment(input: string, options: { type: GarmentType; category: GarmentCategory; color?: string; name: string }): Promise<GarmentAnalysis>;
  template(type: GarmentType, color: string): Promise<GarmentAnalysis>;
  tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: { size?: Size; layers?: boolean }): Promise<TryOnResult>;
  /** Drops an analysis from the pipeline's memory cache once the batch is done with it. */
  forget?(analysis: PersonAnalysis | GarmentAnalysis): void;
  /** The same for a template (cached by type and colour). */
  forgetTemplate?(type: GarmentType, color: string): void;
  /**
   * Pairs the pipeline can render at once off this thread (its render worker threads, with a
   * queued pair each so none waits while this thread analyses); absent or 0 when it renders on
   * the calling thread.
   */
  readonly renderSlots?: number;
  /**
   * Whether renders run ONNX graphs, whose CPU arenas grow with every new crop shape (so
   * `RunOptions.renew` gives memory back); false for the TypeScript render path, where renewing
   * would only cost a reload. Absent: assumed true.
   */
  readonly rendersWithOnnx?: boolean;
}

export type BatchEvent =
  | {
      type: 'start';
      out: string;
      shard: BatchPlan['shard'];
      /** Pairs in the whole batch, in this shard, skipped by --resume, to render now. */
      total: number;
      pairs: number;
      skipped: number;
      toRender: number;
      persons: number;
      garments: number;
      concurrency: number;
    }
  | { type: 'pair-done'; person: string; garment: string; output: string; ms: StageTimes; finished: number; toRender: number }
  | { type: 'pair-failed'; person: string; garment: string; output: string; error: { code: string; message: string; stage: string }; finished: number; toRender: number }
  | { type: 'summary' } & BatchSummary;

export interface BatchSummary {
  out: string;
  results: string;
  index: string;
  /** Pairs of this shard. */
  pairs: number;
  done: number;
  failed: number;
  /** Not run because the batch was interrupted. */
  pending: number;
  /** Kept from an earlier run by --resume (counted in done). */
  resumed: number;
  /** Rendered by this run. */
  rendered: number;
  interrupted: boolean;
  elapsedMs: number;
  /** Rendered pairs per second of this run (analyses included). */
  pairsPerSecond: number;
  /** 0 all pairs done, 1 some failed, 130 interrupted. */
  exitCode: 0 | 1 | 130;
  /** Times the pipeline was renewed to give memory back (see RunOptions.renew). */
  renewals?: number;
}

export interface RunOptions {
  /** Pairs (CPU tasks) in flight at once; normally the pipeline's thread budget. */
  concurrency: number;
  /** Skip pairs whose output exists and whose digest is unchanged. */
  resume?: boolean;
  /** Aborting stops new work, lets the pairs in flight finish, and writes results and index. */
  signal?: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
  /** Pipeline settings that change the pictures, part of every pair's digest. */
  settings?: unknown;
  version?: string;
  /** Save results.json after this many pairs or milliseconds. Default 25 pairs / 2000 ms. */
  save?: { pairs: number; ms: number };
  /** Bytes of garment analyses kept at once; a bigger catalog is done in blocks. Default 80 MB (~25 photos of 768x1024). */
  garmentMemory?: number;
  /** Bytes of person analyses kept at once; more persons are done in blocks. Default 96 MB (~20 photos of 768x1024). */
  personMemory?: number;
  /** Colour of a template garment whose entry gives none. */
  templateColor?: (type: GarmentType, category: GarmentCategory) => string;
  /** Precomputed digests and resume decisions (the CLI's dry run computes them first). */
  prepared?: Prepared;
  /**
   * Closes the pipeline and makes a new one. ONNX Runtime's CPU arena keeps the largest
   * buffers each render graph ever needed, and the render graphs' shapes change with every pair,
   * so native memory creeps up over thousands of pairs; a fresh pipeline gives it back. Called
   * between garment columns, with nothing in flight, when RSS is over `rssLimit`.
   */
  renew?: () => Promise<BatchPipeline>;
  /** Process RSS in bytes above which `renew` is called (if RSS grew by `rssRegrowth` since the last renewal). Default 800 MB. */
  rssLimit?: number;
  /** Growth in bytes since the last renewal needed before another one. Default 96 MB. */
  rssRegrowth?: number;
}

/** The run's summary from its results' counts; the exit code is 130 when interrupted, 1 when any pair failed or is pending. */
export function batchSummary(
  s: ResultsSummary,
  run: { out: string; results: string; index: string; rendered: number; interrupted: boolean; elapsedMs: number },
): BatchSummary {
  return {
    out: run.out,
    results: run.results,
    index: run.index,
    pairs: s.pairs,
    done: s.done,
    failed: s.failed,
    pending: s.pending,
    resumed: s.resumed,
    rendered: run.rendered,
    interrupted: run.interrupted,
    elapsedMs: Math.round(run.elapsedMs),
    pairsPerSecond: Math.round((run.rendered / Math.max(run.elapsedMs, 1)) * 1000 * 100) / 100,
    exitCode: run.interrupted ? 130 : s.failed > 0 || s.pending > 0 ? 1 : 0,
  };
}

/** Neutral colours for templates with no colour in the manifest. */
const DEFAULT_TEMPLATE_COLORS: Record<GarmentCategory, string> = { upper: '#2f5f8f', lower: '#3b3f4a', dress: '#7a2e4a' };

interface Outcome<T> {
  value?: T;
  error?: { code: string; message: string };
  ms: number;
}

const now = (): number => performance.now();
const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Bytes of the pixel planes of an analysis (image, mask, parsing, skin: whatever it has). */
export function analysisBytes(a: object): number {
  let bytes = 0;
  for (const v of Object.values(a)) {
    const data = (v as { data?: unknown } | null)?.data;
    if (ArrayBuffer.isView(data)) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Analyses specs from `start` on, `width` at a time, until their results reach `budget` bytes
 * (at least one is taken). Returns the outcomes and where the next block starts.
 */
async function fillBlock<S, A extends object>(
  specs: readonly S[],
  start: number,
  analyse: (spec: S) => Promise<Outcome<A>>,
  budget: number,
  width: number,
  aborted: () => boolean,
): Promise<{ outcomes: Map<S, Outcome<A>>; next: number }> {
  const outcomes = new Map<S, Outcome<A>>();
  let next = start;
  let bytes = 0;
  let measured = 0;
  let inflight = 0;
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      // Expect those in flight to be as big as the average so far.
      const expected = (): number => bytes + inflight * (measured ? bytes / measured : 0);
      while (inflight < width && next < specs.length && !aborted() && (next === start || expected() < budget)) {
        const spec = specs[next++];
        inflight++;
        void analyse(spec).then((o) => {
          outcomes.set(spec, o);
          if (o.value) {
            bytes += analysisBytes(o.value);
            measured++;
          }
          inflight--;
          launch();
        });
      }
      if (inflight === 0) resolve();
    };
    launch();
  });
  return { outcomes, next };
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = asTryonError(err);
  return { code: e.code, message: e.message };
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
 * Runs a plan. Never throws for a bad pair (it gets a failed record); throws only when the
 * output folder cannot be written at all.
 */
export async function runBatch(plan: BatchPlan, firstPipeline: BatchPipeline, options: RunOptions): Promise<BatchSummary> {
  const started = now();
  // Replaced by `options.renew` when memory runs high; every use reads the current one.
  let pipeline = firstPipeline;
  let renewals = 0;
  const rssLimit = options.rssLimit ?? 800 * 1024 * 1024;
  const rssRegrowth = options.rssRegrowth ?? 96 * 1024 * 1024;
  // The allocator keeps some freed memory: renew only after real growth since the last renewal.
  let rssAfterRenew = -Infinity;
  /** Between garment columns, with nothing in flight: a fresh pipeline when the process has grown past the limit. */
  const renewIfLarge = async (): Promise<void> => {
    const rss = process.memoryUsage.rss();
    if (!options.renew || pipeline.rendersWithOnnx === false || aborted() || rss < rssLimit || rss < rssAfterRenew + rssRegrowth) return;
    pipeline = await options.renew();
    renewals++;
    rssAfterRenew = process.memoryUsage.rss();
  };
  const { outDir } = plan;
  const emit = options.onEvent ?? (() => {});
  const signal = options.signal;
  const aborted = (): boolean => signal?.aborted === true;
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const thumbs = plan.options.thumbnails;
  const templateColor = options.templateColor ?? ((_t: GarmentType, c: GarmentCategory) => DEFAULT_TEMPLATE_COLORS[c]);

  const prepared = options.prepared ?? (await preparePlan(plan, { resume: options.resume === true, settings: options.settings, version: options.version }));
  await removeStaleTemps(
    outDir,
    ['.', ...plan.persons.flatMap((p) => [p.name, path.join('.thumbs', p.name)])],
    new Set(plan.pairs.flatMap((p) => [p.output, thumbPaths.pair(p.person.name, p.garment.name)])),
  );

  // Records: kept ones for skipped pairs, pending ones for the rest.
  const initial: PairRecord[] = plan.pairs.map((pair) => {
    const digest = prepared.digests.get(pair.key)!;
    if (prepared.skip.has(pair.key)) return { ...prepared.previous.get(pair.key)!, resumed: true };
    return { person: pair.person.name, garment: pair.garment.name, output: pair.output, ok: false, status: 'pending', error: null, ms: {}, digest, thumb: null };
  });
  const writer = new ResultsWriter(plan, { version: prepared.version, records: initial, persons: [], garments: [] }, options.save);
  const journal = new Journal(journalPath(writer.file));
  // Temp files of our own results file are from a killed run of this same shard: remove them now.
  const ownTemp = new RegExp(`^\\.${path.basename(writer.file).replace(/\./g, '\\.')}\\.[0-9a-f]{12}\\.tmp$`);
  for (const name of await readdir(outDir).catch(() => [] as string[])) if (ownTemp.test(name)) await rm(path.join(outDir, name), { force: true });
  const todo = plan.pairs.filter((p) => !prepared.skip.has(p.key));

  const personsUsed = new Map<string, PersonSpec>();
  const garmentsUsed = new Map<string, GarmentSpec>();
  for (const p of plan.pairs) {
    personsUsed.set(p.person.name, p.person);
    garmentsUsed.set(p.garment.name, p.garment);
  }
  const docInputs = async (): Promise<Pick<ResultsDoc, 'persons' | 'garments'>> => ({
    persons: await Promise.all(
      [...personsUsed.values()].map(async (p) => ({ name: p.name, image: p.image, thumb: (await exists(path.join(outDir, thumbPaths.person(p.name)))) ? thumbPaths.person(p.name) : null })),
    ),
    garments: await Promise.all(
      [...garmentsUsed.values()].map(async (g) => ({
        name: g.name,
        id: g.id,
        type: g.type,
        category: g.category,
        image: g.image,
        color: g.color,
        size: g.size,
        label: g.label,
        thumb: (await exists(path.join(outDir, thumbPaths.garment(g.name)))) ? thumbPaths.garment(g.name) : null,
      })),
    ),
  });
  writer.setInputs(await docInputs());
  await writer.save();

  emit({
    type: 'start',
    out: outDir,
    shard: plan.shard,
    total: plan.totalPairs,
    pairs: plan.pairs.length,
    skipped: prepared.skip.size,
    toRender: todo.length,
    persons: new Set(todo.map((p) => p.person.name)).size,
    garments: new Set(todo.map((p) => p.garment.name)).size,
    concurrency,
  });

  // Analyses (on this thread) and renders (on the pipeline's render threads when it has them)
  // have separate limits, so the two overlap.
  const work: LimitFunction = pLimit(concurrency);
  const renders: LimitFunction = firstPipeline.renderSlots ? pLimit(firstPipeline.renderSlots) : work;
  const columnsInFlight = firstPipeline.renderSlots ? 2 : 1;
  let finished = 0;
  let rendered = 0;

  // A pair's event goes out once its journal line is written: whoever sees the event (a CI
  // script, a test that then kills the process) can count on --resume keeping the pair.
  const finish = (record: PairRecord, stage?: string): void => {
    writer.set(record);
    if (record.ok) rendered++;
    void journal.append(record).then(() => {
      finished++;
      if (record.ok) {
        emit({ type: 'pair-done', person: record.person, garment: record.garment, output: record.output, ms: record.ms, finished, toRender: todo.length });
      } else {
        emit({ type: 'pair-failed', person: record.person, garment: record.garment, output: record.output, error: { ...record.error!, stage: stage ?? 'render' }, finished, toRender: todo.length });
      }
    });
  };

  const failPair = (pair: Pair, error: { code: string; message: string }, stage: string, ms: StageTimes): void => {
    finish({ ...writer.get(pair.key)!, ok: false, status: 'failed', error, ms, resumed: undefined }, stage);
  };

  // ---- garments: analysed once, kept per block
  const analyseGarment = async (g: GarmentSpec): Promise<Outcome<GarmentAnalysis>> => {
    const t = now();
    try {
      const value = g.image
        ? await pipeline.analyseGarment(g.image, { type: g.type, category: g.category, ...(g.color ? { color: g.color } : {}), name: g.image })
        : await pipeline.template(g.type, g.color ?? templateColor(g.type, g.category));
      const ms = now() - t;
      if (thumbs) await writeThumb(outDir, thumbPaths.garment(g.name), value.image).catch(() => {});
      return { value, ms };
    } catch (err) {
      if (thumbs && g.image) await writeThumbFromFile(outDir, thumbPaths.garment(g.name), g.image).catch(() => {});
      return { error: errorOf(err), ms: now() - t };
    }
  };

  /** A person photo that failed fails the same way in every garment block: analysed once. */
  const personFailures = new Map<string, Outcome<PersonAnalysis>>();
  const personThumbs = new Set<string>();

  const renderPair = async (pair: Pair, person: Outcome<PersonAnalysis>, garment: Outcome<GarmentAnalysis>): Promise<void> => {
    if (aborted()) return;
    const ms: StageTimes = {
      decode: person.value?.timings?.decode !== undefined ? round(person.value.timings.decode) : undefined,
      personAnalysis: round(person.ms),
      garmentAnalysis: round(garment.ms),
    };
    const t0 = now();
    let stage = 'render';
    try {
      const result = await pipeline.tryOn(person.value!, garment.value!, { ...(pair.size ? { size: pair.size } : {}), layers: false });
      const t1 = now();
      ms.render = round(t1 - t0);
      const rt = result.timings ?? {};
      if (rt.fit !== undefined) ms.fit = round(rt.fit);
      if (rt.texture !== undefined) ms.texture = round(rt.texture);
      if (rt.masks !== undefined) ms.masks = round(rt.masks);
      if (rt.warp !== undefined) ms.warp = round(rt.warp);
      if (rt.composite !== undefined) ms.composite = round(rt.composite);
      stage = 'encode';
      const bytes = await encodeImage(result.image, plan.options.format, plan.options.quality);
      const t2 = now();
      ms.encode = round(t2 - t1);
      stage = 'write';
      await writeFileAtomic(path.join(outDir, pair.output), bytes);
      ms.write = round(now() - t2);
      let thumb: string | null = null;
      if (thumbs) {
        const rel = thumbPaths.pair(pair.person.name, pair.garment.name);
        thumb = await writeThumb(outDir, rel, result.image).then(
          () => rel,
          () => null,
        );
      }
      ms.total = round(now() - t0);
      const record: PairRecord = {
        ...writer.get(pair.key)!,
        ok: true,
        status: 'done',
        error: null,
        ms,
        thumb,
        resumed: undefined,
      };
      const warnings = [...(person.value!.warnings ?? []), ...(garment.value!.warnings ?? [])];
      if (warnings.length) record.warnings = warnings;
      finish(record);
    } catch (err) {
      ms.total = round(now() - t0);
      failPair(pair, errorOf(err), stage, ms);
    }
  };

  const analysePerson = async (spec: PersonSpec): Promise<Outcome<PersonAnalysis>> => {
    const known = personFailures.get(spec.name);
    if (known) return known;
    return work(async (): Promise<Outcome<PersonAnalysis>> => {
      if (aborted()) return { ms: 0 };
      const t = now();
      try {
        const value = await pipeline.analysePerson(spec.image, spec.image);
        const ms = now() - t;
        if (thumbs && !personThumbs.has(spec.name)) {
          personThumbs.add(spec.name);
          await writeThumb(outDir, thumbPaths.person(spec.name), value.image).catch(() => {});
        }
        return { value, ms };
      } catch (err) {
        if (thumbs) await writeThumbFromFile(outDir, thumbPaths.person(spec.name), spec.image).catch(() => {});
        const failed = { error: errorOf(err), ms: now() - t };
        personFailures.set(spec.name, failed);
        return failed;
      }
    });
  };

  /** Queues the pending pairs of one column of a tile (one garment, the block's persons); returns when the column is rendered. */
  const renderColumn = (gspec: GarmentSpec, g: Outcome<GarmentAnalysis>, byName: Map<string, Outcome<PersonAnalysis>>): Promise<void> => {
    const column = (pairsByGarment.get(gspec.name) ?? []).filter((pair) => byName.has(pair.person.name));
    const tasks: Promise<void>[] = [];
    for (const pair of column) {
      const p = byName.get(pair.person.name)!;
      if (!p.value && !p.error) continue; // aborted before its analysis started
      if (p.error) failPair(pair, p.error, 'person', { personAnalysis: round(p.ms) });
      else if (g.error) failPair(pair, g.error, 'garment', { personAnalysis: round(p.ms), garmentAnalysis: round(g.ms) });
      else tasks.push(renders(() => renderPair(pair, p, g)));
    }
    return Promise.all(tasks).then(() => {});
  };

  /**
   * Renders a tile column by column. With render workers two columns are in flight, so the next
   * garment is analysed here while the workers render the last one; rendering on this thread,
   * one (the pipeline may be renewed between columns). Only the garments in flight hold textures. `next` yields the tile's garments in order (analysing
   * them as it goes for a garment block's first tile).
   */
  const renderTile = async (persons: Map<PersonSpec, Outcome<PersonAnalysis>>, next: () => Promise<[GarmentSpec, Outcome<GarmentAnalysis>] | null>): Promise<void> => {
    const byName = new Map([...persons].map(([spec, o]) => [spec.name, o]));
    const inFlight: Promise<void>[] = [];
    let columns = 0;
    for (;;) {
      if (aborted()) break;
      const item = await next();
      if (!item) break;
      if (inFlight.length >= columnsInFlight) await inFlight.shift();
      // Nothing in flight (always so when rendering on this thread): the moment to renew.
      if (inFlight.length === 0 && columns > 0) await renewIfLarge();
      columns++;
      inFlight.push(renderColumn(item[0], item[1], byName));
    }
    await Promise.all(inFlight);
    await renewIfLarge();
  };

  // ---- tiles: garment blocks (outer) x person blocks (inner)
  const garmentBudget = Math.max(1, options.garmentMemory ?? 80 * 1024 * 1024);
  const personBudget = Math.max(1, options.personMemory ?? 96 * 1024 * 1024);
  const pairsByGarment = new Map<string, Pair[]>();
  for (const pair of todo) {
    const column = pairsByGarment.get(pair.garment.name);
    if (column) column.push(pair);
    else pairsByGarment.set(pair.garment.name, [pair]);
  }
  const pairsByPerson = new Map<string, Pair[]>();
  for (const pair of todo) {
    const row = pairsByPerson.get(pair.person.name);
    if (row) row.push(pair);
    else pairsByPerson.set(pair.person.name, [pair]);
  }
  const garmentOrder = [...new Map(todo.map((p) => [p.garment.name, p.garment])).values()];
  const personOrder = [...new Map(todo.map((p) => [p.person.name, p.person])).values()];
  let nextGarment = 0;
  while (nextGarment < garmentOrder.length && !aborted()) {
    // The garment block is found while its first tile renders: garments are analysed one by
    // one, each column queued as soon as its garment is ready, until the block's budget is
    // reached. Later person blocks reuse the block's analyses.
    const block: [GarmentSpec, Outcome<GarmentAnalysis>][] = [];
    let blockBytes = 0;
    let blockDone = false;
    // Persons with pairs in the block (all of them until the block is known).
    const hasPairsIn = (p: PersonSpec): boolean => !blockDone || pairsByPerson.get(p.name)!.some((pair) => block.some(([g]) => g === pair.garment));
    let persons = personOrder;
    let nextPerson = 0;
    while (nextPerson < persons.length && !aborted()) {
      persons = [...persons.slice(0, nextPerson), ...persons.slice(nextPerson).filter(hasPairsIn)];
      if (nextPerson >= persons.length) break;
      const pBlock = await fillBlock(persons, nextPerson, analysePerson, personBudget, concurrency, aborted);
      nextPerson = pBlock.next;
      let k = 0;
      const next = async (): Promise<[GarmentSpec, Outcome<GarmentAnalysis>] | null> => {
        if (k < block.length) return block[k++];
        if (blockDone || nextGarment >= garmentOrder.length || (block.length > 0 && blockBytes >= garmentBudget)) {
          blockDone = true;
          return null;
        }
        const spec = garmentOrder[nextGarment++];
        const outcome = await work(() => analyseGarment(spec));
        if (outcome.value) blockBytes += analysisBytes(outcome.value);
        block.push([spec, outcome]);
        k++;
        return [spec, outcome];
      };
      await renderTile(pBlock.outcomes, next);
      blockDone = true;
      for (const o of pBlock.outcomes.values()) if (o.value) pipeline.forget?.(o.value);
    }
    // (Interrupted before any person block: the garments counted so far are the block.)
    blockDone = true;
    for (const [g, o] of block) {
      if (!o.value) continue;
      pipeline.forget?.(o.value);
      if (!g.image) pipeline.forgetTemplate?.(g.type, g.color ?? templateColor(g.type, g.category));
    }
    if (block.length === 0) break;
  }

  // ---- the end: pairs never started stay pending, with the reason when interrupted
  const interrupted = aborted();
  if (interrupted) {
    for (const r of writer.all()) {
      if (r.status === 'pending') writer.replace({ ...r, error: { code: 'INTERRUPTED', message: 'not run: the batch was interrupted; run again with --resume' } });
    }
  }
  writer.setInputs(await docInputs());
  const doc = await writer.flush({ complete: !interrupted, interrupted });
  await journal.remove();
  const index = await writeIndex(outDir);
  const summary: BatchSummary = {
    ...batchSummary(doc.summary, { out: outDir, results: writer.file, index, rendered, interrupted, elapsedMs: now() - started }),
    renewals,
  };
  emit({ type: 'summary', ...summary });
  return summary;
}
