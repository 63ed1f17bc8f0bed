/**
 * The batch runner: renders every pair of a plan through a pipeline, with bounded concurrency,
 * bounded memory, per-pair failures, resume, periodic saves and clean interruption. One
 * process's part of a batch; runCatalog (catalog.ts) finds the inputs, plans and calls it (in
 * this process or in N).
 *
 * Work: P person analyses + G garment analyses + P x G renders, never an analysis per pair.
 * Order: the P x G matrix is cut into tiles that fit a memory budget (blocks.ts): garments are
 * analysed in blocks of up to `garmentMemory` bytes (~25 photos of 768x1024), persons in
 * blocks of up to `personMemory` bytes (one block for ~50 photos). Inside a tile the renders
 * go garment by garment: a renderer keeps a garment's textures for its later pairs (a few at a
 * time, src/render/state.ts), so only the garments in flight hold textures: memory follows the
 * budgets and the concurrency, not the catalog. Analyses of a tile are dropped (and `forget`-ed
 * by the pipeline, which drops what its renderers derived from them) when it is done. A bigger
 * batch than one tile re-fetches persons per garment block (from the pipeline's analysis cache,
 * a file read) and never re-analyses a garment.
 * One limiter (`concurrency`) holds every CPU task on this thread, analyses and renders alike
 * when the pipeline renders here: that is the number of pairs in flight that
 * src/threads/budget.ts sized ONNX Runtime's and sharp's threads for.
 */
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { asTryonError, type ErrorCode } from '../errors.ts';
import { encodeImage } from '../image/encode.ts';
import { writeFileAtomic } from '../image/write.ts';
import type { GarmentAnalysis, GarmentCategory, GarmentPhotoSource, GarmentType, PersonAnalysis, Size, TryOnResult } from '../types.ts';
import { fillBlock, analysisBytes, type Outcome } from './blocks.ts';
import { sha256Hex } from './digest.ts';
import type { BatchEvent, BatchSummary } from './events.ts';
import { docInputs, removeTempsOf, writeIndex } from './folder.ts';

export { writeIndex } from './folder.ts';
import { Journal, journalPath } from './journal.ts';
import { prepareOutFolder } from './out-folder.ts';
import type { GarmentSpec } from './manifest.ts';
import type { PersonSpec } from './persons.ts';
import type { BatchPlan, Pair } from './plan.ts';
import { preparePlan, type Prepared } from './prepare.ts';
import { resultsFileName, ResultsWriter, type PairRecord, type ResultsSummary, type StageTimes } from './results.ts';
import { thumbPaths, writeThumb, writeThumbFromFile } from './thumbs.ts';

export { analysisBytes } from './blocks.ts';
export type { BatchEvent, BatchSummary } from './events.ts';

/** What the runner needs of the pipeline (the `Tryon` facade has it); tests can pass their own. */
export interface BatchPipeline {
  analysePerson(input: string, name: string): Promise<PersonAnalysis>;
  analyseGarment(input: string, options: { type: GarmentType; category: GarmentCategory; color?: string; name: string; source?: GarmentPhotoSource }): Promise<GarmentAnalysis>;
  template(type: GarmentType, color: string): Promise<GarmentAnalysis>;
  tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: { size?: Size; layers?: boolean }): Promise<TryOnResult>;
  /** Drops an analysis (and what was derived from it) from the pipeline's memory once the batch is done with it. */
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
  /** Precomputed digests and resume decisions (a dry run computes them first). */
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
export const DEFAULT_TEMPLATE_COLORS: Record<GarmentCategory, string> = { upper: '#2f5f8f', lower: '#3b3f4a', dress: '#7a2e4a' };

const now = (): number => performance.now();
const round = (ms: number): number => Math.round(ms * 10) / 10;

function errorOf(err: unknown): { code: ErrorCode; message: string } {
  const e = asTryonError(err);
  return { code: e.code, message: e.message };
}

/** The stage times of a rendered pair from the render's own timings. */
function renderTimes(ms: StageTimes, rt: Record<string, number>): void {
  for (const k of ['fit', 'texture', 'masks', 'warp', 'composite'] as const) if (rt[k] !== undefined) ms[k] = round(rt[k]);
}

/** Groups pairs by a key, in order. */
function groupBy(pairs: readonly Pair[], key: (p: Pair) => string): Map<string, Pair[]> {
  const groups = new Map<string, Pair[]>();
  for (const pair of pairs) {
    const k = key(pair);
    const group = groups.get(k);
    if (group) group.push(pair);
    else groups.set(k, [pair]);
  }
  return groups;
}

/**
 * Runs a plan. Never throws for a bad pair (it gets a failed record); throws a BAD_OPTION
 * before any work when the output folder cannot be created or written (out-folder.ts).
 */
export function runBatch(plan: BatchPlan, pipeline: BatchPipeline, options: RunOptions): Promise<BatchSummary> {
  return new BatchRun(plan, pipeline, options).run();
}

type PersonOutcomes = Map<string, Outcome<PersonAnalysis>>;
type GarmentItem = [GarmentSpec, Outcome<GarmentAnalysis>];

/** One run of a plan: its records, limiters and counters. */
class BatchRun {
  private readonly started = now();
  /** Replaced by `options.renew` when memory runs high; every use reads the current one. */
  private pipeline: BatchPipeline;
  private renewals = 0;
  /** The allocator keeps some freed memory: renew only after real growth since the last renewal. */
  private rssAfterRenew = -Infinity;
  private readonly emit: (e: BatchEvent) => void;
  private readonly concurrency: number;
  private readonly templateColor: (type: GarmentType, category: GarmentCategory) => string;
  /** Analyses (on this thread) and renders (on the pipeline's render threads when it has them) have separate limits, so the two overlap. */
  private readonly work: LimitFunction;
  private readonly renders: LimitFunction;
  private readonly columnsInFlight: number;
  private writer!: ResultsWriter;
  private journal!: Journal;
  private todo: Pair[] = [];
  private pairsByGarment = new Map<string, Pair[]>();
  private pairsByPerson = new Map<string, Pair[]>();
  private finished = 0;
  private rendered = 0;
  /** A person photo that failed fails the same way in every garment block: analysed once. */
  private readonly personFailures = new Map<string, Outcome<PersonAnalysis>>();
  private readonly personThumbs = new Set<string>();

  constructor(
    private readonly plan: BatchPlan,
    pipeline: BatchPipeline,
    private readonly options: RunOptions,
  ) {
    this.pipeline = pipeline;
    this.emit = options.onEvent ?? (() => {});
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
    this.templateColor = options.templateColor ?? ((_t, c) => DEFAULT_TEMPLATE_COLORS[c]);
    this.work = pLimit(this.concurrency);
    this.renders = pipeline.renderSlots ? pLimit(pipeline.renderSlots) : this.work;
    this.columnsInFlight = pipeline.renderSlots ? 2 : 1;
  }

  private aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  async run(): Promise<BatchSummary> {
    const { plan, options } = this;
    const prepared = options.prepared ?? (await preparePlan(plan, { resume: options.resume === true, settings: options.settings, version: options.version }));
    await this.open(prepared);
    this.emit({
      type: 'start',
      out: plan.outDir,
      shard: plan.shard,
      total: plan.totalPairs,
      pairs: plan.pairs.length,
      skipped: prepared.skip.size,
      toRender: this.todo.length,
      persons: new Set(this.todo.map((p) => p.person.name)).size,
      garments: new Set(this.todo.map((p) => p.garment.name)).size,
      concurrency: this.concurrency,
    });
    await this.renderTiles();
    return this.close();
  }

  /** Records (kept ones for skipped pairs, pending ones for the rest), the results file and its journal. */
  private async open(prepared: Prepared): Promise<void> {
    const { plan } = this;
    await prepareOutFolder(plan.outDir);
    await removeTempsOf(plan, path.join(plan.outDir, resultsFileName(plan.shard, plan.worker ?? null)));
    const initial: PairRecord[] = plan.pairs.map((pair) => {
      const digest = prepared.digests.get(pair.key)!;
      if (prepared.skip.has(pair.key)) return { ...prepared.previous.get(pair.key)!, resumed: true };
      return { person: pair.person.name, garment: pair.garment.name, output: pair.output, ok: false, status: 'pending', error: null, ms: {}, digest, thumb: null };
    });
    this.writer = new ResultsWriter(plan, { version: prepared.version, records: initial, persons: [], garments: [] }, this.options.save);
    this.journal = new Journal(journalPath(this.writer.file));
    this.todo = plan.pairs.filter((p) => !prepared.skip.has(p.key));
    this.pairsByGarment = groupBy(this.todo, (p) => p.garment.name);
    this.pairsByPerson = groupBy(this.todo, (p) => p.person.name);
    this.writer.setInputs(await docInputs(plan));
    await this.writer.save();
  }

  /** The end: pairs never started stay pending, with the reason when interrupted; results, index and summary. */
  private async close(): Promise<BatchSummary> {
    const { plan, writer } = this;
    const interrupted = this.aborted();
    if (interrupted) {
      for (const r of writer.all()) {
        if (r.status === 'pending') writer.replace({ ...r, error: { code: 'INTERRUPTED', message: 'not run: the batch was interrupted; run again with --resume' } });
      }
    }
    writer.setInputs(await docInputs(plan));
    const doc = await writer.flush({ complete: !interrupted, interrupted });
    await this.journal.remove();
    const index = await writeIndex(plan.outDir);
    const summary: BatchSummary = {
      ...batchSummary(doc.summary, { out: plan.outDir, results: writer.file, index, rendered: this.rendered, interrupted, elapsedMs: now() - this.started }),
      renewals: this.renewals,
    };
    this.emit({ type: 'summary', ...summary });
    return summary;
  }

  /**
   * A pair's record, and its event once its journal line is written: whoever sees the event (a
   * CI script, a test that then kills the process) can count on --resume keeping the pair.
   */
  private finish(record: PairRecord, stage?: string): void {
    this.writer.set(record);
    if (record.ok) this.rendered++;
    void this.journal.append(record).then(() => {
      this.finished++;
      const { person, garment, output } = record;
      const [finished, toRender] = [this.finished, this.todo.length];
      if (record.ok) this.emit({ type: 'pair-done', person, garment, output, ms: record.ms, finished, toRender });
      else this.emit({ type: 'pair-failed', person, garment, output, error: { ...record.error!, stage: stage ?? 'render' }, finished, toRender });
    });
  }

  private failPair(pair: Pair, error: { code: ErrorCode; message: string }, stage: string, ms: StageTimes): void {
    this.finish({ ...this.writer.get(pair.key)!, ok: false, status: 'failed', error, ms, resumed: undefined }, stage);
  }

  /** Between garment columns, with nothing in flight: a fresh pipeline when the process has grown past the limit. */
  private async renewIfLarge(): Promise<void> {
    const { options } = this;
    const rss = process.memoryUsage.rss();
    const limit = options.rssLimit ?? 800 * 1024 * 1024;
    const regrowth = options.rssRegrowth ?? 96 * 1024 * 1024;
    if (!options.renew || this.pipeline.rendersWithOnnx === false || this.aborted() || rss < limit || rss < this.rssAfterRenew + regrowth) return;
    this.pipeline = await options.renew();
    this.renewals++;
    this.rssAfterRenew = process.memoryUsage.rss();
  }

  // ---- analyses: garments once, kept per block; persons per block

  private async analyseGarment(g: GarmentSpec): Promise<Outcome<GarmentAnalysis>> {
    const { outDir, options } = this.plan;
    const t = now();
    try {
      const value = g.image
        ? await this.pipeline.analyseGarment(g.image, { type: g.type, category: g.category, ...(g.color ? { color: g.color } : {}), ...(g.source ? { source: g.source } : {}), name: g.image })
        : await this.pipeline.template(g.type, g.color ?? this.templateColor(g.type, g.category));
      const ms = now() - t;
      if (options.thumbnails) await writeThumb(outDir, thumbPaths.garment(g.name), value.image).catch(() => {});
      return { value, ms };
    } catch (err) {
      if (options.thumbnails && g.image) await writeThumbFromFile(outDir, thumbPaths.garment(g.name), g.image).catch(() => {});
      return { error: errorOf(err), ms: now() - t };
    }
  }

  private analysePerson(spec: PersonSpec): Promise<Outcome<PersonAnalysis>> {
    const known = this.personFailures.get(spec.name);
    if (known) return Promise.resolve(known);
    // Found unreadable while listing the persons (a link loop): nothing to analyse.
    if (spec.problem) return Promise.resolve({ error: spec.problem, ms: 0 });
    const { outDir, options } = this.plan;
    return this.work(async (): Promise<Outcome<PersonAnalysis>> => {
      if (this.aborted()) return { ms: 0 };
      const t = now();
      try {
        const value = await this.pipeline.analysePerson(spec.image, spec.image);
        const ms = now() - t;
        if (options.thumbnails && !this.personThumbs.has(spec.name)) {
          this.personThumbs.add(spec.name);
          await writeThumb(outDir, thumbPaths.person(spec.name), value.image).catch(() => {});
        }
        return { value, ms };
      } catch (err) {
        if (options.thumbnails) await writeThumbFromFile(outDir, thumbPaths.person(spec.name), spec.image).catch(() => {});
        const failed = { error: errorOf(err), ms: now() - t };
        this.personFailures.set(spec.name, failed);
        return failed;
      }
    });
  }

  // ---- renders

  private async renderPair(pair: Pair, person: Outcome<PersonAnalysis>, garment: Outcome<GarmentAnalysis>): Promise<void> {
    if (this.aborted()) return;
    const { outDir, options } = this.plan;
    const ms: StageTimes = {
      decode: person.value?.timings?.decode !== undefined ? round(person.value.timings.decode) : undefined,
      personAnalysis: round(person.ms),
      garmentAnalysis: round(garment.ms),
    };
    const t0 = now();
    let stage = 'render';
    try {
      const result = await this.pipeline.tryOn(person.value!, garment.value!, { ...(pair.size ? { size: pair.size } : {}), layers: false });
      const t1 = now();
      ms.render = round(t1 - t0);
      renderTimes(ms, result.timings ?? {});
      stage = 'encode';
      const bytes = await encodeImage(result.image, options.format, options.quality);
      const t2 = now();
      ms.encode = round(t2 - t1);
      stage = 'write';
      await writeFileAtomic(path.join(outDir, pair.output), bytes);
      ms.write = round(now() - t2);
      let thumb: string | null = null;
      if (options.thumbnails) {
        const rel = thumbPaths.pair(pair.person.name, pair.garment.name);
        thumb = await writeThumb(outDir, rel, result.image).then(
          () => rel,
          () => null,
        );
      }
      ms.total = round(now() - t0);
      const record: PairRecord = { ...this.writer.get(pair.key)!, ok: true, status: 'done', error: null, ms, thumb, resumed: undefined, outputBytes: bytes.length, outputSha256: sha256Hex(bytes) };
      if (result.warnings?.length) record.warnings = result.warnings;
      this.finish(record);
    } catch (err) {
      ms.total = round(now() - t0);
      this.failPair(pair, errorOf(err), stage, ms);
    }
  }

  /** Queues the pending pairs of one column of a tile (one garment, the block's persons); returns when the column is rendered. */
  private renderColumn(gspec: GarmentSpec, g: Outcome<GarmentAnalysis>, persons: PersonOutcomes): Promise<void> {
    const column = (this.pairsByGarment.get(gspec.name) ?? []).filter((pair) => persons.has(pair.person.name));
    const tasks: Promise<void>[] = [];
    for (const pair of column) {
      const p = persons.get(pair.person.name)!;
      if (!p.value && !p.error) continue; // aborted before its analysis started
      if (p.error) this.failPair(pair, p.error, 'person', { personAnalysis: round(p.ms) });
      else if (g.error) this.failPair(pair, g.error, 'garment', { personAnalysis: round(p.ms), garmentAnalysis: round(g.ms) });
      else tasks.push(this.renders(() => this.renderPair(pair, p, g)));
    }
    return Promise.all(tasks).then(() => {});
  }

  /**
   * Renders a tile column by column. With render workers two columns are in flight, so the next
   * garment is analysed here while the workers render the last one; rendering on this thread,
   * one (the pipeline may be renewed between columns). Only the garments in flight hold
   * textures. `next` yields the tile's garments in order (analysing them as it goes for a
   * garment block's first tile).
   */
  private async renderTile(persons: PersonOutcomes, next: () => Promise<GarmentItem | null>): Promise<void> {
    const inFlight: Promise<void>[] = [];
    let columns = 0;
    for (;;) {
      if (this.aborted()) break;
      const item = await next();
      if (!item) break;
      if (inFlight.length >= this.columnsInFlight) await inFlight.shift();
      // Nothing in flight (always so when rendering on this thread): the moment to renew.
      if (inFlight.length === 0 && columns > 0) await this.renewIfLarge();
      columns++;
      inFlight.push(this.renderColumn(item[0], item[1], persons));
    }
    await Promise.all(inFlight);
    await this.renewIfLarge();
  }

  // ---- tiles: garment blocks (outer) x person blocks (inner)

  private async renderTiles(): Promise<void> {
    const garmentOrder = [...new Map(this.todo.map((p) => [p.garment.name, p.garment])).values()];
    const garments = { order: garmentOrder, next: 0 };
    while (garments.next < garmentOrder.length && !this.aborted()) {
      if (!(await this.garmentBlock(garments))) break;
    }
  }

  /**
   * One garment block over every person block. The garment block is found while its first
   * tile renders: garments are analysed one by one, each column queued as soon as its garment
   * is ready, until the block's budget is reached. Later person blocks reuse the block's
   * analyses; the pipeline forgets them when the block is done (here: a caller holding the
   * block while the next one renders would keep two blocks in memory). Returns whether the
   * block had any garment.
   */
  private async garmentBlock(garments: { order: GarmentSpec[]; next: number }): Promise<boolean> {
    const garmentBudget = Math.max(1, this.options.garmentMemory ?? 80 * 1024 * 1024);
    const personBudget = Math.max(1, this.options.personMemory ?? 96 * 1024 * 1024);
    const block: GarmentItem[] = [];
    let blockBytes = 0;
    let blockDone = false;
    // Persons with pairs in the block (all of them until the block is known).
    const hasPairsIn = (p: PersonSpec): boolean => !blockDone || this.pairsByPerson.get(p.name)!.some((pair) => block.some(([g]) => g === pair.garment));
    let persons = [...new Map(this.todo.map((p) => [p.person.name, p.person])).values()];
    let nextPerson = 0;
    while (nextPerson < persons.length && !this.aborted()) {
      persons = [...persons.slice(0, nextPerson), ...persons.slice(nextPerson).filter(hasPairsIn)];
      if (nextPerson >= persons.length) break;
      const pBlock = await fillBlock(persons, nextPerson, (spec) => this.analysePerson(spec), personBudget, this.concurrency, () => this.aborted());
      nextPerson = pBlock.next;
      let k = 0;
      const next = async (): Promise<GarmentItem | null> => {
        if (k < block.length) return block[k++];
        if (blockDone || garments.next >= garments.order.length || (block.length > 0 && blockBytes >= garmentBudget)) {
          blockDone = true;
          return null;
        }
        const spec = garments.order[garments.next++];
        const outcome = await this.work(() => this.analyseGarment(spec));
        if (outcome.value) blockBytes += analysisBytes(outcome.value);
        block.push([spec, outcome]);
        k++;
        return [spec, outcome];
      };
      await this.renderTile(new Map([...pBlock.outcomes].map(([spec, o]) => [spec.name, o])), next);
      blockDone = true;
      for (const o of pBlock.outcomes.values()) if (o.value) this.pipeline.forget?.(o.value);
    }
    // (Interrupted before any person block: the garments counted so far are the block.)
    for (const [g, o] of block) {
      if (!o.value) continue;
      this.pipeline.forget?.(o.value);
      if (!g.image) this.pipeline.forgetTemplate?.(g.type, g.color ?? this.templateColor(g.type, g.category));
    }
    return block.length > 0;
  }
}
