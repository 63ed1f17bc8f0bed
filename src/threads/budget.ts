/**
 * The one place that budgets threads, so that pairs in flight x ONNX Runtime intra-op threads
 * x sharp's threads fit the cores instead of oversubscribing them.
 */
import os from 'node:os';
import sharp from 'sharp';

export interface ThreadBudget {
  /** Pairs (or requests) in flight at once. */
  concurrency: number;
  /** ONNX Runtime intra-op threads per session run. */
  intraOp: number;
  /** libvips threads per sharp operation. */
  sharp: number;
}

/**
 * Splits the cores between work in flight and the threads each piece of work uses.
 * With as many jobs in flight as cores, each job gets one thread: parallelism across pairs
 * beats parallelism inside a pair for small 256x256 models and per-pair graphs.
 */
export function budgetThreads(concurrency: number, cores = os.availableParallelism()): ThreadBudget {
  const c = Math.max(1, Math.floor(concurrency));
  const perJob = Math.max(1, Math.floor(cores / c));
  return { concurrency: c, intraOp: perJob, sharp: perJob };
}

/**
 * Applies the sharp part of a budget (process-wide in libvips), and turns libvips' operation
 * cache off: it keeps up to 50 MB of recent results for repeated reads of the same file, which
 * a pipeline that reads every photo once (and keeps its analysis) never makes.
 */
export function applySharpBudget(budget: ThreadBudget): void {
  sharp.concurrency(budget.sharp);
  sharp.cache(false);
}
