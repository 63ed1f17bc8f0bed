/**
 * Render worker threads. onnxruntime-node runs a session synchronously on the calling
 * JavaScript thread, and the TypeScript render path is JavaScript too, so one thread renders
 * one pair at a time however many are "in flight": a pool of worker threads (one per core) is
 * what lets a batch or the server use every core, and keeps the server's event loop free to
 * answer while pairs render.
 *
 *   const pool = new RenderPool({ threads: 2, engine: 'js' });
 *   const result = await pool.tryOn(person, garment, { size: 'M', layers: false });
 *   await pool.close();
 *
 * Analyses are posted to a worker the first time it needs them, their pixel planes moved into
 * SharedArrayBuffers first (share.ts), so no worker copies them. A person's pairs go to the
 * same worker while it is not much busier than the others, so the per-person work a worker
 * keeps in its render state (the masks' person-level planes) is done once per person, not once
 * per pair.
 * Workers start on the first render and do not keep the process alive while idle.
 */
import { Worker } from 'node:worker_threads';
import { TryonError, type ErrorCode } from '../errors.ts';
import type { GarmentAnalysis, PersonAnalysis, TryOnResult } from '../types.ts';
import { shareInPlace } from './share.ts';
import { RENDER_LIMITS } from '../render/state.ts';
import type { TryOnOptions } from '../render/tryon.ts';

export type WorkerEngine = 'js' | 'onnx';

export interface RenderPoolOptions {
  /** Worker threads (>= 1). */
  threads: number;
  /** What the workers run: the TypeScript path or the ONNX graphs on CPU. */
  engine: WorkerEngine;
  /** The models folder (the ONNX engine's registry reads its manifest). */
  modelsDir?: string;
  /** Where the workers keep bare bodies between runs (src/bare/cache.ts); none by default. */
  cacheDir?: string | null;
  /**
   * A pair not answered within this many ms (from when it was sent) stops its worker: its
   * pairs fail with INTERNAL and a fresh worker takes the next ones, so one pathological input
   * cannot hang a batch. Default 120 000.
   */
  timeoutMs?: number;
}

/** What a worker is told (see worker.ts). */
export type ToWorker =
  | { type: 'render'; job: number; person: { id: number; value?: PersonAnalysis }; garment: { id: number; value?: GarmentAnalysis }; options: TryOnOptions }
  | { type: 'forget'; id: number }
  | { type: 'memory'; job: number };

/** What a worker answers. */
export type FromWorker =
  | { type: 'result'; job: number; result: TryOnResult }
  | { type: 'memory'; job: number; memory: WorkerMemory }
  | { type: 'error'; job: number; error: { code: ErrorCode; message: string; input?: string; suggestion?: string } };

/** A worker thread's own JavaScript heap and buffers, in bytes (its share of the process RSS). */
export interface WorkerMemory {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface Job {
  resolve: (r: TryOnResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  /** Jobs sent and not answered. */
  jobs: Map<number, Job>;
  /** Ids of the analyses this worker holds, least recently used first. */
  known: Map<number, 'person' | 'garment'>;
  /** Set when the pool stopped it for a pair that ran too long. */
  timedOut?: boolean;
}

/**
 * Analyses a worker may hold. The pool, not the worker, drops the least recently used (messages
 * arrive in order, so a later pair re-sends what was dropped), so a worker's render state holds
 * no more persons than its renderer keeps (RENDER_LIMITS).
 */
const HOLD = { person: RENDER_LIMITS.persons, garment: 16 };

/** How many more queued jobs than the idlest worker a person's own worker may have before its pair goes elsewhere. */
const SPILL = 4;

/**
 * The worker's entry. Compiled (dist/), the worker is plain JavaScript; from src/ (tsx, vitest) it is
 * TypeScript, and worker-boot.mjs first registers tsx's loader in the new thread.
 */
const WORKER_URL = import.meta.url.endsWith('.ts') ? new URL('./worker-boot.mjs', import.meta.url) : new URL('./worker.js', import.meta.url);

export class RenderPool {
  readonly threads: number;
  readonly engine: WorkerEngine;
  private readonly modelsDir?: string;
  private readonly cacheDir: string | null;
  private readonly timeoutMs: number;
  private slots: Slot[] = [];
  private ids = new WeakMap<object, number>();
  private nextId = 1;
  private nextJob = 1;
  /** Person id -> its worker (see pick). */
  private affinity = new Map<number, Slot>();
  private closed = false;
  private dealt = 0;

  constructor(options: RenderPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new TryonError('BAD_OPTION', `Expected integer >= 1 for render.threads but received ${String(options.threads)}`, { input: 'render.threads' });
    this.threads = options.threads;
    this.engine = options.engine;
    this.modelsDir = options.modelsDir;
    this.cacheDir = options.cacheDir ?? null;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  private idOf(analysis: object): number {
    let id = this.ids.get(analysis);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(analysis, id);
    }
    return id;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { engine: this.engine, modelsDir: this.modelsDir, cacheDir: this.cacheDir } });
    const slot: Slot = { worker, jobs: new Map(), known: new Map() };
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      const job = slot.jobs.get(m.job);
      if (!job) return;
      clearTimeout(job.timer);
      slot.jobs.delete(m.job);
      if (slot.jobs.size === 0) worker.unref();
      if (m.type === 'result') job.resolve(m.result);
      else if (m.type === 'memory') (job.resolve as unknown as (m: WorkerMemory) => void)(m.memory);
      else job.reject(new TryonError(m.error.code, m.error.message, { input: m.error.input, suggestion: m.error.suggestion }));
    });
    const fail = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      for (const [k, s] of this.affinity) if (s === slot) this.affinity.delete(k);
      for (const job of slot.jobs.values()) {
        clearTimeout(job.timer);
        job.reject(new TryonError('INTERNAL', `render worker stopped: ${why}`));
      }
      slot.jobs.clear();
    };
    worker.on('error', (err) => fail(err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => fail(slot.timedOut ? `a pair took longer than ${this.timeoutMs} ms` : `exit code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  /**
   * The worker for a person: the one it was given first (persons are dealt out in turn, so a
   * batch's column splits evenly), unless that one is `SPILL` jobs busier than the idlest (one
   * person's many pairs in the server). Each worker then builds a person's cached masks once.
   */
  private pick(personId: number): Slot {
    while (this.slots.length < this.threads) this.spawn();
    let idlest = this.slots[0];
    for (const s of this.slots) if (s.jobs.size < idlest.jobs.size) idlest = s;
    let home = this.affinity.get(personId);
    if (!home || !this.slots.includes(home)) {
      home = this.slots[this.dealt++ % this.slots.length];
      this.affinity.set(personId, home);
    }
    return home.jobs.size >= idlest.jobs.size + SPILL ? idlest : home;
  }

  /**
   * Marks an analysis as held by a worker (most recently used); returns whether it already was.
   * Drops the least recently used of its kind past the limit.
   */
  private hold(slot: Slot, id: number, kind: 'person' | 'garment'): boolean {
    const had = slot.known.delete(id);
    slot.known.set(id, kind);
    let count = 0;
    for (const k of slot.known.values()) if (k === kind) count++;
    for (const [old, k] of slot.known) {
      if (count <= HOLD[kind]) break;
      if (k !== kind || old === id) continue;
      slot.known.delete(old);
      slot.worker.postMessage({ type: 'forget', id: old } satisfies ToWorker);
      count--;
    }
    return had;
  }

  /** Pairs sent and not yet answered, over all workers. */
  get inFlight(): number {
    return this.slots.reduce((n, s) => n + s.jobs.size, 0);
  }

  tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: TryOnOptions = {}): Promise<TryOnResult> {
    if (this.closed) return Promise.reject(new TryonError('INTERNAL', 'the render pool is closed'));
    const pid = this.idOf(person);
    const gid = this.idOf(garment);
    const slot = this.pick(pid);
    const job = this.nextJob++;
    const message: ToWorker = { type: 'render', job, person: { id: pid }, garment: { id: gid }, options };
    if (!this.hold(slot, pid, 'person')) message.person.value = shareInPlace(person);
    if (!this.hold(slot, gid, 'garment')) message.garment.value = shareInPlace(garment);
    return new Promise<TryOnResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!slot.jobs.has(job)) return;
        slot.timedOut = true;
        void slot.worker.terminate();
      }, this.timeoutMs);
      timer.unref();
      slot.jobs.set(job, { resolve, reject, timer });
      slot.worker.ref();
      try {
        slot.worker.postMessage(message);
      } catch (err) {
        slot.jobs.delete(job);
        reject(new TryonError('INTERNAL', `could not send the pair to a render worker: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  /** Each running worker's heap and buffers (for benchmarks: where the memory is). */
  memory(): Promise<WorkerMemory[]> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<WorkerMemory>((resolve, reject) => {
            const job = this.nextJob++;
            slot.jobs.set(job, { resolve: resolve as unknown as (r: TryOnResult) => void, reject });
            slot.worker.postMessage({ type: 'memory', job } satisfies ToWorker);
          }),
      ),
    );
  }

  /** Lets the workers drop an analysis (and what they cached for it). */
  forget(analysis: object): void {
    const id = this.ids.get(analysis);
    if (id === undefined) return;
    this.affinity.delete(id);
    for (const s of this.slots) {
      if (!s.known.delete(id)) continue;
      s.worker.postMessage({ type: 'forget', id } satisfies ToWorker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
